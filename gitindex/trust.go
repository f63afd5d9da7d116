package gitindex

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// UntrustedCommitError says that the fetched commit is not signed by any of
// SourceOptions.VerifyKeys. The Poller keeps serving the last good revision.
type UntrustedCommitError struct {
	// Commit is the full hash of the refused commit.
	Commit string
	// Reason says what is wrong: no signature, or none that a key verifies.
	Reason string
}

// Error implements error.
func (e *UntrustedCommitError) Error() string {
	return fmt.Sprintf("commit %s is not trusted: %s", shortHash(e.Commit), e.Reason)
}

func shortHash(h string) string {
	if len(h) > 7 {
		return h[:7]
	}
	return h
}

// validateKeys checks that every verification key parses.
func validateKeys(keys []string) error {
	for i, k := range keys {
		if _, err := openpgp.ReadArmoredKeyRing(strings.NewReader(k)); err != nil {
			return fmt.Errorf("source: verification key %d: %w", i+1, err)
		}
	}
	return nil
}

// verify checks the commit's OpenPGP signature against VerifyKeys (if any). A
// commit that passed once is not checked again.
func (s *Source) verify(commit string) error {
	if len(s.opts.VerifyKeys) == 0 || commit == s.verified {
		return nil
	}
	c, err := s.repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return fmt.Errorf("verify commit %s: %w", commit, err)
	}
	if err := verifySignature(c, s.opts.VerifyKeys); err != nil {
		return err
	}
	s.verified = commit
	return nil
}

// verifySignature checks that one of keys made the commit's OpenPGP signature.
func verifySignature(c *object.Commit, keys []string) error {
	commit := c.Hash.String()
	if c.PGPSignature == "" {
		return &UntrustedCommitError{Commit: commit, Reason: "the commit is not signed"}
	}
	if !strings.HasPrefix(c.PGPSignature, "-----BEGIN PGP SIGNATURE-----") {
		return &UntrustedCommitError{Commit: commit, Reason: "the commit's signature is not an OpenPGP signature"}
	}
	var reasons []string
	for _, k := range keys {
		_, err := c.Verify(k)
		if err == nil {
			return nil
		}
		if !slices.Contains(reasons, err.Error()) {
			reasons = append(reasons, err.Error())
		}
	}
	return &UntrustedCommitError{Commit: commit, Reason: "no verification key accepts its signature: " + strings.Join(reasons, "; ")}
}

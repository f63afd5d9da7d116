package source

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// UntrustedCommitError says that the fetched commit is not signed by any of
// Options.VerifyKeys. The Poller keeps serving the last good revision.
type UntrustedCommitError struct {
	// Commit is the full hash of the refused commit.
	Commit string
	// Reason says what is wrong: no signature, or none that a key verifies.
	Reason string
}

// Error implements error.
func (e *UntrustedCommitError) Error() string {
	return fmt.Sprintf("commit %s is not trusted: %s", ShortHash(e.Commit), e.Reason)
}

// ShortHash abbreviates a commit hash to seven characters, for messages.
func ShortHash(h string) string {
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
	var signer string
	if err := verifySignature(c, s.opts.VerifyKeys, &signer); err != nil {
		return err
	}
	s.verified, s.signer = commit, signer
	return nil
}

// verifySignature checks that one of keys made the commit's OpenPGP signature.
// It sets signer to the name of the key that did.
func verifySignature(c *object.Commit, keys []string, signer *string) error {
	commit := c.Hash.String()
	if c.PGPSignature == "" {
		return &UntrustedCommitError{Commit: commit, Reason: "the commit is not signed"}
	}
	if !strings.HasPrefix(c.PGPSignature, "-----BEGIN PGP SIGNATURE-----") {
		return &UntrustedCommitError{Commit: commit, Reason: "the commit's signature is not an OpenPGP signature"}
	}
	var reasons []string
	for _, k := range keys {
		e, err := c.Verify(k)
		if err == nil {
			*signer = signerName(e)
			return nil
		}
		if !slices.Contains(reasons, err.Error()) {
			reasons = append(reasons, err.Error())
		}
	}
	return &UntrustedCommitError{Commit: commit, Reason: "no verification key accepts its signature: " + strings.Join(reasons, "; ")}
}

// Signer names the key that signed commit ("NAME <EMAIL> (KEY ID)"), if commit is
// the last one verified against Options.VerifyKeys; "" otherwise (no keys
// configured). It is for the audit record of a loaded revision; call it from the
// Poller's goroutine (its Load function), like everything else on a Source.
func (s *Source) Signer(commit string) string {
	if commit == "" || commit != s.verified {
		return ""
	}
	return s.signer
}

func signerName(e *openpgp.Entity) string {
	if e == nil || e.PrimaryKey == nil {
		return ""
	}
	name := ""
	for id := range e.Identities {
		if name == "" || id < name {
			name = id
		}
	}
	return strings.TrimSpace(name + " (" + e.PrimaryKey.KeyIdString() + ")")
}

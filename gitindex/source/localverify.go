package source

import (
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// LocalCommitVerified is LocalCommit for a working copy whose commits must be
// signed: with keys (armored OpenPGP public keys), a commit that none of them
// signed is refused with an *UntrustedCommitError, as Source.Fetch refuses it.
// `gitgate check` and the one-shot commands read a local --repo with it.
func LocalCommitVerified(dir, rev string, keys []string, dirs ...string) (commit string, files []File, err error) {
	if len(keys) > 0 {
		if err := validateKeys(keys); err != nil {
			return "", nil, err
		}
		if err := verifyLocal(dir, rev, keys); err != nil {
			return "", nil, err
		}
	}
	return LocalCommit(dir, rev, dirs...)
}

func verifyLocal(dir, rev string, keys []string) error {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return fmt.Errorf("open repository %s: %w", dir, err)
	}
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return fmt.Errorf("resolve %s in %s: %w", rev, dir, err)
	}
	c, err := repo.CommitObject(*h)
	if err != nil {
		return fmt.Errorf("verify commit %s: %w", h, err)
	}
	var signer string
	return verifySignature(c, keys, &signer)
}

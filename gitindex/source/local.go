package source

import (
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// LocalCommit opens the repository containing dir (a working copy) and returns the
// files of the commit that rev (HEAD, a branch, a tag or a hash) names, for the
// offline `gitgate check` and `gitgate drift --repo`.
func LocalCommit(dir, rev string, dirs ...string) (commit string, files []File, err error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return "", nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return "", nil, fmt.Errorf("resolve %s in %s: %w", rev, dir, err)
	}
	c, err := repo.CommitObject(*h)
	if err != nil {
		return "", nil, fmt.Errorf("commit %s: %w", h, err)
	}
	files, err = CommitFiles(c, dirs...)
	return h.String(), files, err
}

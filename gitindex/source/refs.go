package source

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
)

func isHash(ref string) bool { return len(ref) == 40 && plumbing.IsHash(ref) }

// resolve returns the commit the fetched ref (or the configured hash) names.
func (s *Source) resolve(local plumbing.ReferenceName) (string, error) {
	if isHash(s.opts.Ref) {
		if _, err := s.repo.CommitObject(plumbing.NewHash(s.opts.Ref)); err != nil {
			return "", fmt.Errorf("commit %s not found in %s: %w", s.opts.Ref, s.URL(), err)
		}
		return s.opts.Ref, nil
	}
	ref, err := s.repo.Reference(local, true)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", local, err)
	}
	return s.peel(ref.Hash())
}

// refSpec lists the remote's refs and picks the branch or tag named by Ref.
func (s *Source) refSpec(ctx context.Context, t transportOpts) (config.RefSpec, plumbing.ReferenceName, error) {
	if isHash(s.opts.Ref) {
		return "+refs/heads/*:refs/remotes/origin/*", "", nil
	}
	remote, err := s.repo.Remote("origin")
	if err != nil {
		return "", "", err
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: t.auth, CABundle: t.ca})
	if err != nil {
		return "", "", fmt.Errorf("list refs of %s: %w", s.URL(), RedactError(explain(err)))
	}
	branch, tag := plumbing.NewBranchReferenceName(s.opts.Ref), plumbing.NewTagReferenceName(s.opts.Ref)
	for _, want := range []plumbing.ReferenceName{branch, tag} {
		for _, r := range refs {
			if r.Name() != want {
				continue
			}
			local := plumbing.NewRemoteReferenceName("origin", s.opts.Ref)
			if want == tag {
				local = tag
			}
			return config.RefSpec(fmt.Sprintf("+%s:%s", want, local)), local, nil
		}
	}
	return "", "", fmt.Errorf("ref %q is neither a branch nor a tag of %s", s.opts.Ref, s.URL())
}

// peel resolves annotated tags to their commit.
func (s *Source) peel(h plumbing.Hash) (string, error) {
	if tag, err := s.repo.TagObject(h); err == nil {
		c, err := tag.Commit()
		if err != nil {
			return "", fmt.Errorf("tag %s: %w", s.opts.Ref, err)
		}
		return c.Hash.String(), nil
	}
	return h.String(), nil
}

package gitindex

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
)

// SourceOptions says where the manifests come from.
type SourceOptions struct {
	// URL is a local path, file://, https:// or ssh:// URL of the repository.
	URL string
	// Ref is a branch, a tag, or a full commit hash; default "main".
	Ref string
	// Auth authenticates fetches (nil: none).
	Auth transport.AuthMethod
}

// Source is a bare, in-memory clone of the repository. It is not safe for
// concurrent use: one goroutine (the Poller's) owns it.
type Source struct {
	opts SourceOptions
	repo *git.Repository
}

// NewSource returns a Source; nothing is fetched until Fetch.
func NewSource(opts SourceOptions) (*Source, error) {
	if opts.URL == "" {
		return nil, errors.New("repository URL is empty")
	}
	if opts.Ref == "" {
		opts.Ref = "main"
	}
	return &Source{opts: opts}, nil
}

// URL returns the configured repository URL.
func (s *Source) URL() string { return s.opts.URL }

func isHash(ref string) bool { return len(ref) == 40 && plumbing.IsHash(ref) }

// Fetch brings the clone up to date and resolves the ref to a commit hash.
func (s *Source) Fetch(ctx context.Context) (string, error) {
	if s.repo == nil {
		repo, err := git.Init(memory.NewStorage(), nil)
		if err != nil {
			return "", fmt.Errorf("init clone: %w", err)
		}
		if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{s.opts.URL}}); err != nil {
			return "", fmt.Errorf("add remote: %w", err)
		}
		s.repo = repo
	}
	spec, local, err := s.refSpec(ctx)
	if err != nil {
		return "", err
	}
	err = s.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "origin", RefSpecs: []config.RefSpec{spec}, Auth: s.opts.Auth, Force: true, Tags: git.NoTags,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return "", fmt.Errorf("fetch %s: %w", s.opts.URL, err)
	}
	if isHash(s.opts.Ref) {
		if _, err := s.repo.CommitObject(plumbing.NewHash(s.opts.Ref)); err != nil {
			return "", fmt.Errorf("commit %s not found in %s: %w", s.opts.Ref, s.opts.URL, err)
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
func (s *Source) refSpec(ctx context.Context) (config.RefSpec, plumbing.ReferenceName, error) {
	if isHash(s.opts.Ref) {
		return "+refs/heads/*:refs/remotes/origin/*", "", nil
	}
	remote, err := s.repo.Remote("origin")
	if err != nil {
		return "", "", err
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: s.opts.Auth})
	if err != nil {
		return "", "", fmt.Errorf("list refs of %s: %w", s.opts.URL, err)
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
	return "", "", fmt.Errorf("ref %q is neither a branch nor a tag of %s", s.opts.Ref, s.opts.URL)
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

// Files returns the files of the commit under the given folders (plus the root
// .gitgate.yaml); folders are relative to the repository root, "." for all.
func (s *Source) Files(commit string, dirs ...string) ([]File, error) {
	if s.repo == nil {
		return nil, errors.New("repository not fetched yet")
	}
	c, err := s.repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", commit, err)
	}
	return CommitFiles(c, dirs...)
}

// CommitFiles returns the files of a commit under dirs (plus the root .gitgate.yaml).
func CommitFiles(c *object.Commit, dirs ...string) ([]File, error) {
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of %s: %w", c.Hash, err)
	}
	var out []File
	err = tree.Files().ForEach(func(f *object.File) error {
		if !wanted(f.Name, dirs) {
			return nil
		}
		r, err := f.Reader()
		if err != nil {
			return fmt.Errorf("read %s: %w", f.Name, err)
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
		if err != nil {
			return fmt.Errorf("read %s: %w", f.Name, err)
		}
		if len(data) > maxFileSize {
			return fmt.Errorf("%s is larger than %d bytes", f.Name, maxFileSize)
		}
		out = append(out, File{Path: f.Name, Data: data})
		return nil
	})
	return out, err
}

// maxFileSize bounds one file read from git (a manifest or a policy).
const maxFileSize = 16 << 20

func wanted(name string, dirs []string) bool {
	if name == ConfigFile {
		return true
	}
	ext := strings.ToLower(path.Ext(name))
	if ext != ".yaml" && ext != ".yml" && ext != ".json" && ext != ".rego" {
		return false
	}
	for _, d := range dirs {
		if underDir(name, d) {
			return true
		}
	}
	return len(dirs) == 0
}

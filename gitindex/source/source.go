package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Options says where the manifests come from and how to trust them. The
// credential fields name files (as a mounted Secret provides them), read again
// before every fetch so that rotation needs no restart.
type Options struct {
	// URL is a local path, file://, https://, ssh:// or scp-style (git@host:org/repo.git)
	// URL of the repository.
	URL string
	// Ref is a branch, a tag, or a full commit hash; default "main".
	Ref string
	// Auth authenticates fetches; when set, the credential files must be empty.
	Auth transport.AuthMethod
	// UsernameFile holds the user name for HTTPS or SSH; default "git" (any name
	// works with a GitHub, GitLab or Gitea token), or the user in an SSH URL.
	UsernameFile string
	// PasswordFile holds the HTTPS password or access token (basic auth), or an SSH
	// password when there is no SSHKeyFile. Never sent over plain http://.
	PasswordFile string
	// SSHKeyFile holds a PEM or OpenSSH private key for ssh:// and scp-style URLs.
	SSHKeyFile string
	// SSHKeyPassphraseFile holds the SSH key's passphrase, if it has one.
	SSHKeyPassphraseFile string
	// KnownHostsFile lists the SSH server's host keys in known_hosts format; default
	// $SSH_KNOWN_HOSTS, ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts. A host
	// whose key is not listed is always refused.
	KnownHostsFile string
	// InsecureIgnoreHostKey accepts any SSH host key, giving up protection against
	// a man in the middle: an explicit opt-in, never a default.
	InsecureIgnoreHostKey bool
	// CAFile holds PEM certificates trusted for https:// besides the system's.
	CAFile string
	// VerifyKeys are armored OpenPGP public keys. When set, Fetch refuses (with an
	// *UntrustedCommitError) a commit that no key among them signed.
	VerifyKeys []string
	// FullHistory clones the whole history. By default the first fetch is shallow
	// (the ref's tip only) and later fetches bring just the new objects; a commit
	// hash Ref is always fetched with the full history of the branches.
	FullHistory bool
}

// Source is a bare, in-memory clone of the repository. One goroutine (the
// Poller's) fetches and lists files; the files' lazy readers may run on a build's
// goroutine meanwhile, and take turns with it through mu.
type Source struct {
	mu       sync.Mutex // held while the clone is read or written
	opts     Options
	repo     *git.Repository
	storage  *memory.Storage
	verified string                 // the last commit whose signature checked out
	signer   string                 // who signed it (Signer)
	baseline int                    // objects held after the first fetch of this clone
	renew    bool                   // start a fresh clone at the next fetch
	spec     config.RefSpec         // what to fetch, once known
	local    plumbing.ReferenceName // where spec stores the ref
}

// cloneGrowthLimit bounds the in-memory clone, which keeps every object it ever
// fetched: once it holds this many times the objects of its first fetch, the next
// fetch starts a fresh (shallow) clone.
const cloneGrowthLimit = 3

// New validates the options and returns a Source; nothing is read or
// fetched until Fetch.
func New(opts Options) (*Source, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.Ref == "" {
		opts.Ref = "main"
	}
	return &Source{opts: opts}, nil
}

// URL returns the configured repository URL without credentials (see Redact),
// for messages and Snapshot.Repo.
func (s *Source) URL() string { return Redact(s.opts.URL) }

// Fetch brings the clone up to date and resolves the ref to a commit hash. With
// VerifyKeys, a commit without a valid signature by one of them is refused with an
// *UntrustedCommitError.
func (s *Source) Fetch(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.init(); err != nil {
		return "", err
	}
	t, err := s.transportOptions()
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", s.URL(), err)
	}
	if err := s.fetch(ctx, t); err != nil {
		return "", err
	}
	commit, err := s.resolve(s.local)
	if err != nil {
		return "", err
	}
	if err := s.verify(commit); err != nil {
		return "", err
	}
	s.checkGrowth()
	return commit, nil
}

// fetch fetches the ref. The branch-or-tag lookup of the first fetch is kept, so
// a poll costs one request; it is done again if the ref disappears.
func (s *Source) fetch(ctx context.Context, t transportOpts) error {
	cached := s.spec != ""
	if !cached {
		spec, local, err := s.refSpec(ctx, t)
		if err != nil {
			return err
		}
		s.spec, s.local = spec, local
	}
	err := s.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "origin", RefSpecs: []config.RefSpec{s.spec}, Auth: t.auth, CABundle: t.ca,
		Depth: s.depth(), Force: true, Tags: git.NoTags,
	})
	switch {
	case cached && errors.Is(err, git.NoMatchingRefSpecError{}):
		s.spec = ""
		return s.fetch(ctx, t)
	case err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate):
		return fmt.Errorf("fetch %s: %w", s.URL(), RedactError(explain(err)))
	}
	return nil
}

// checkGrowth notes the clone's size after its first fetch, and asks for a fresh
// clone (at the next fetch: Files still reads this one) once it grew too much.
func (s *Source) checkGrowth() {
	n := len(s.storage.Objects)
	if s.baseline == 0 {
		s.baseline = n
	}
	s.renew = n > cloneGrowthLimit*s.baseline
}

func (s *Source) init() error {
	if s.renew {
		s.repo, s.storage, s.baseline, s.renew = nil, nil, 0, false
	}
	if s.repo != nil {
		return nil
	}
	storage := memory.NewStorage()
	repo, err := git.Init(storage, nil)
	if err != nil {
		return fmt.Errorf("init clone: %w", err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{s.opts.URL}}); err != nil {
		return fmt.Errorf("add remote: %w", err)
	}
	s.repo, s.storage = repo, storage
	return nil
}

// transportOpts is what one fetch authenticates with, read from the files just before.
type transportOpts struct {
	auth transport.AuthMethod
	ca   []byte
}

func (s *Source) transportOptions() (transportOpts, error) {
	auth, err := s.opts.AuthMethod()
	if err != nil {
		return transportOpts{}, err
	}
	var ca []byte
	if s.opts.CAFile != "" {
		if ca, err = os.ReadFile(s.opts.CAFile); err != nil {
			return transportOpts{}, fmt.Errorf("read CA file: %w", err)
		}
	}
	return transportOpts{auth: auth, ca: ca}, nil
}

// depth is 1 (the tip only) for the first fetch of a branch or tag, and 0 (what
// is missing) after it: a depth-1 fetch into a shallow clone would transfer the
// whole tree again for every commit.
func (s *Source) depth() int {
	if s.opts.FullHistory || isHash(s.opts.Ref) || s.baseline > 0 {
		return 0
	}
	return 1
}

// explain says what to check when go-git's message is terse.
func explain(err error) error {
	var keyErr *knownhosts.KeyError
	switch {
	case errors.As(err, &keyErr) && len(keyErr.Want) > 0:
		return fmt.Errorf("the server's SSH host key does not match the known hosts (another server, or a rotated key): %w", err)
	case errors.As(err, &keyErr):
		return fmt.Errorf("the server's SSH host key is not in the known hosts: %w", err)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("%w (check the username and password or token)", err)
	}
	return err
}

// Files returns the files of the commit that Build needs for manifests and policies
// under the given folders (relative to the repository root, "." for all); see
// CommitFiles.
func (s *Source) Files(commit string, dirs ...string) ([]File, error) {
	return s.files(commit, dirs, false)
}

// LazyFiles is Files without reading them: each file is read from the clone
// by File.Read, only when Build needs it (not for those it reuses from the
// previous snapshot), taking turns with Fetch.
func (s *Source) LazyFiles(commit string, dirs ...string) ([]File, error) {
	return s.files(commit, dirs, true)
}

// files lists the files of a commit, lazily or not, under the lock.
func (s *Source) files(commit string, dirs []string, lazy bool) ([]File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repo == nil {
		return nil, errors.New("repository not fetched yet")
	}
	c, err := s.repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", commit, err)
	}
	files, err := commitFiles(c, dirs, lazy)
	for i := range files {
		if load := files[i].load; load != nil {
			files[i].load = func() ([]byte, error) {
				s.mu.Lock()
				defer s.mu.Unlock()
				return load()
			}
		}
	}
	return files, err
}

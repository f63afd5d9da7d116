package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// repoFlags are the git repository flags, defined once for serve, check, drift,
// apply and rbac: where the manifests are, how to read them and how to trust them
// (credentials and --verify-key), so every command reads the same commit the
// same way.
type repoFlags struct {
	repo, ref, policyPath, defaultNamespace string
	paths                                   []string
	git                                     source.Options
	verifyKeyFiles                          []string
	renderFlags
}

// bindRepoFlags binds the repository flags; repo and ref are the command's
// defaults (check reads the working copy's HEAD, the others a branch).
func (r *repoFlags) bind(fs *pflag.FlagSet, repo, ref string) {
	fs.StringVar(&r.repo, "repo", repo, "git repository: local path, file://, https:// or ssh:// URL")
	fs.StringVar(&r.ref, "ref", ref, "branch, tag or full commit hash (a local path also takes any revision, e.g. HEAD)")
	fs.StringSliceVar(&r.paths, "path", []string{"."}, "folder(s) with manifests, relative to the repository root (repeatable)")
	fs.StringVar(&r.policyPath, "policy-path", "policies", "folder with Rego policies (package gitgate), relative to the repository root")
	fs.StringVar(&r.defaultNamespace, "default-namespace", "default", "namespace of namespaced objects that declare none in git")
	fs.StringVar(&r.git.UsernameFile, "git-username-file", "", "file with the HTTPS/SSH user name (default git)")
	fs.StringVar(&r.git.PasswordFile, "git-password-file", "", "file with the HTTPS password or access token")
	fs.StringVar(&r.git.SSHKeyFile, "ssh-key-file", "", "file with the SSH private key (ssh:// and git@host:path URLs)")
	fs.StringVar(&r.git.SSHKeyPassphraseFile, "ssh-key-passphrase-file", "", "file with the SSH key's passphrase")
	fs.StringVar(&r.git.KnownHostsFile, "known-hosts-file", "", "known_hosts file; hosts not listed are refused")
	fs.BoolVar(&r.git.InsecureIgnoreHostKey, "insecure-ignore-host-key", false, "accept any SSH host key (unsafe; explicit opt-in)")
	fs.StringVar(&r.git.CAFile, "git-ca-file", "", "PEM CA certificates trusted for https:// repositories")
	r.renderFlags.bind(fs)
	fs.StringArrayVar(&r.verifyKeyFiles, "verify-key", nil, "armored OpenPGP public key file; when given, only commits signed by one of the keys are accepted (repeatable)")
}

// sourceOptions returns the source options, with the verification keys read.
func (r *repoFlags) sourceOptions() (source.Options, error) {
	opts := r.git
	opts.URL, opts.Ref = r.repo, r.ref
	keys, err := r.verifyKeys()
	if err != nil {
		return opts, err
	}
	opts.VerifyKeys = keys
	return opts, nil
}

func (r *repoFlags) verifyKeys() ([]string, error) {
	var keys []string
	for _, path := range r.verifyKeyFiles {
		key, err := source.ReadSecretFile(path)
		if err != nil {
			return nil, fmt.Errorf("--verify-key: %w", err)
		}
		keys = append(keys, string(key))
	}
	return keys, nil
}

// newSource builds the git source (credentials are read from files, as a
// mounted Secret provides them).
func (r *repoFlags) newSource() (*source.Source, error) {
	opts, err := r.sourceOptions()
	if err != nil {
		return nil, err
	}
	return source.New(opts)
}

// buildOptions says how to read the commit's manifests (offline: a Flux
// Kustomization's substituteFrom cannot be read).
func (r *repoFlags) buildOptions() (gitindex.BuildOptions, error) {
	render, err := r.renderer(nil)
	return gitindex.BuildOptions{Repo: r.repo, Paths: r.paths, PolicyPath: r.policyPath, DefaultNamespace: r.defaultNamespace, Render: render}, err
}

// dirs are the repository folders a command reads: the manifests and the policies.
func (r *repoFlags) dirs() []string {
	return append(append([]string(nil), r.paths...), r.policyPath)
}

// commit returns the commit --ref names and its files: from the working copy
// when --repo is a local folder (any revision, signature checked with
// --verify-key), else fetched like serve does.
func (r *repoFlags) commit(ctx context.Context) (string, []gitindex.File, error) {
	if st, err := os.Stat(r.repo); err == nil && st.IsDir() {
		keys, err := r.verifyKeys()
		if err != nil {
			return "", nil, err
		}
		return source.LocalCommitVerified(r.repo, r.ref, keys, r.dirs()...)
	}
	src, err := r.newSource()
	if err != nil {
		return "", nil, err
	}
	commit, err := src.Fetch(ctx)
	if err != nil {
		return "", nil, err
	}
	files, err := src.Files(commit, r.dirs()...)
	return commit, files, err
}

// snapshot reads the commit and builds its snapshot.
func (r *repoFlags) snapshot(ctx context.Context) (*gitindex.Snapshot, error) {
	if r.repo == "" {
		return nil, fmt.Errorf("--repo is required")
	}
	commit, files, err := r.commit(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := r.buildOptions()
	if err != nil {
		return nil, err
	}
	return gitindex.Build(commit, files, opts)
}

package source

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/gitgate-dev/gitgate/gitindex/internal/gittest"
)

// fetchFiles fetches and returns the commit and the paths of its files.
func fetchFiles(t *testing.T, src *Source) (string, []string, error) {
	t.Helper()
	commit, err := src.Fetch(t.Context())
	if err != nil {
		return "", nil, err
	}
	files, err := src.Files(commit, ".")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	return commit, paths, nil
}

func TestSourceHTTPS(t *testing.T) {
	dir, git := gittest.Repo(t)
	head := gittest.Commit(t, dir, git, "k8s/cm.yaml", gittest.ConfigMap("a"))
	base, ca := gittest.HTTPServer(t, filepath.Dir(dir), "alice", "s3cret")
	url := base + "/" + filepath.Base(dir)
	user, pass, wrong := gittest.WriteSecret(t, "alice"), gittest.WriteSecret(t, "s3cret"), gittest.WriteSecret(t, "nope")

	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"basic auth", Options{UsernameFile: user, PasswordFile: pass, CAFile: ca}, ""},
		{"wrong password", Options{UsernameFile: user, PasswordFile: wrong, CAFile: ca}, "authentication"},
		{"token alone is user git", Options{PasswordFile: pass, CAFile: ca}, "authentication"},
		{"no credentials", Options{CAFile: ca}, "authentication required"},
		{"untrusted server certificate", Options{UsernameFile: user, PasswordFile: pass}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.URL = url
			src, err := New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, paths, err := fetchFiles(t, src)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != head || strings.Join(paths, ",") != "k8s/cm.yaml" {
				t.Fatalf("got %s %v, %v; want %s", got, paths, err, head)
			}
		})
	}
}

func TestSourceHTTPSToken(t *testing.T) {
	dir, git := gittest.Repo(t)
	head := gittest.Commit(t, dir, git, "cm.yaml", gittest.ConfigMap("a"))
	base, ca := gittest.HTTPServer(t, filepath.Dir(dir), "git", "ghp_token")
	src, err := New(Options{URL: base + "/" + filepath.Base(dir), PasswordFile: gittest.WriteSecret(t, "ghp_token"), CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := src.Fetch(t.Context()); err != nil || got != head {
		t.Fatalf("got %s, %v; want %s", got, err, head)
	}
}

// TestSourceShallow fetches the tip only over HTTPS and SSH, then follows new
// commits, including a rewritten one.
func TestSourceShallow(t *testing.T) {
	dir, git := gittest.Repo(t)
	first := gittest.Commit(t, dir, git, "a.yaml", gittest.ConfigMap("a"))
	gittest.Commit(t, dir, git, "b.yaml", gittest.ConfigMap("b"))
	base, ca := gittest.HTTPServer(t, filepath.Dir(dir), "alice", "s3cret")
	keyFile, pub := gittest.NewSSHKey(t)
	addr, knownHosts := gittest.SSHServer(t, filepath.Dir(dir), pub)
	for name, opts := range map[string]Options{
		"https": {URL: base + "/" + filepath.Base(dir), UsernameFile: gittest.WriteSecret(t, "alice"), PasswordFile: gittest.WriteSecret(t, "s3cret"), CAFile: ca},
		"ssh":   {URL: "ssh://git@" + addr + dir, SSHKeyFile: keyFile, KnownHostsFile: knownHosts},
		"file":  {URL: dir},
	} {
		src, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		for round := range 3 {
			head := gittest.Commit(t, dir, git, "c.yaml", gittest.ConfigMap(name+strings.Repeat("c", round+1)))
			if round == 2 {
				git("commit", "-q", "--amend", "-m", "rewritten")
				head = git("rev-parse", "HEAD")
			}
			got, paths, err := fetchFiles(t, src)
			if err != nil || got != head || len(paths) != 3 {
				t.Fatalf("%s round %d: got %s %v, %v; want %s", name, round, got, paths, err, head)
			}
			if _, err := src.repo.CommitObject(plumbing.NewHash(first)); err == nil {
				t.Errorf("%s round %d: the first commit was fetched too (not shallow)", name, round)
			}
		}
	}
}

func TestSourceSSH(t *testing.T) {
	dir, git := gittest.Repo(t)
	head := gittest.Commit(t, dir, git, "k8s/cm.yaml", gittest.ConfigMap("a"))
	keyFile, pub := gittest.NewSSHKey(t)
	otherKey, _ := gittest.NewSSHKey(t)
	addr, knownHosts := gittest.SSHServer(t, filepath.Dir(dir), pub)
	_, impostor := gittest.NewSSHKey(t)
	wrongHosts := gittest.WriteKnownHosts(t, addr, impostor)
	otherHost := gittest.WriteKnownHosts(t, "127.0.0.2:22", pub)
	url := "ssh://git@" + addr + dir

	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"key and known host", Options{SSHKeyFile: keyFile, KnownHostsFile: knownHosts}, ""},
		{"insecure opt-in", Options{SSHKeyFile: keyFile, InsecureIgnoreHostKey: true}, ""},
		{"unknown host key", Options{SSHKeyFile: keyFile, KnownHostsFile: wrongHosts}, "host key does not match"},
		{"host not listed", Options{SSHKeyFile: keyFile, KnownHostsFile: otherHost}, "host key is not in the known hosts"},
		{"key not authorized", Options{SSHKeyFile: otherKey, KnownHostsFile: knownHosts}, "unable to authenticate"},
		{"missing known hosts file", Options{SSHKeyFile: keyFile, KnownHostsFile: knownHosts + ".missing"}, "known hosts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.URL = url
			src, err := New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, paths, err := fetchFiles(t, src)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != head || strings.Join(paths, ",") != "k8s/cm.yaml" {
				t.Fatalf("got %s %v, %v; want %s", got, paths, err, head)
			}
		})
	}
}

// TestSourceRenewsClone checks that the in-memory clone, which keeps every
// object it fetched, is replaced by a fresh shallow one once it has grown.
func TestSourceRenewsClone(t *testing.T) {
	dir, git := gittest.Repo(t)
	gittest.Commit(t, dir, git, "a.yaml", gittest.ConfigMap("a"))
	src, _ := New(Options{URL: dir})
	if _, err := src.Fetch(t.Context()); err != nil {
		t.Fatal(err)
	}
	base := len(src.storage.Objects)
	for i := range 12 {
		head := gittest.Commit(t, dir, git, "a.yaml", gittest.ConfigMap(strings.Repeat("a", i+2)))
		got, paths, err := fetchFiles(t, src)
		if err != nil || got != head || len(paths) != 1 {
			t.Fatalf("fetch %d: got %s %v, %v; want %s", i, got, paths, err, head)
		}
		if n := len(src.storage.Objects); n > cloneGrowthLimit*base+3 {
			t.Fatalf("fetch %d: the clone holds %d objects, its first fetch %d", i, n, base)
		}
	}
}

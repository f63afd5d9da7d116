package gitindex

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// commitFile writes, adds and commits one file and returns the new HEAD.
func commitFile(t testing.TB, dir string, git func(...string) string, rel, content string) string {
	t.Helper()
	write(t, dir, rel, content)
	git("add", "-A")
	git("commit", "-q", "-m", "change "+rel)
	return git("rev-parse", "HEAD")
}

func configMap(name string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: x}\n"
}

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
	dir, git := gitRepo(t)
	head := commitFile(t, dir, git, "k8s/cm.yaml", configMap("a"))
	base, ca := httpGitServer(t, filepath.Dir(dir), "alice", "s3cret")
	url := base + "/" + filepath.Base(dir)
	user, pass, wrong := writeSecret(t, "alice"), writeSecret(t, "s3cret"), writeSecret(t, "nope")

	tests := []struct {
		name    string
		opts    SourceOptions
		wantErr string
	}{
		{"basic auth", SourceOptions{UsernameFile: user, PasswordFile: pass, CAFile: ca}, ""},
		{"wrong password", SourceOptions{UsernameFile: user, PasswordFile: wrong, CAFile: ca}, "authentication"},
		{"token alone is user git", SourceOptions{PasswordFile: pass, CAFile: ca}, "authentication"},
		{"no credentials", SourceOptions{CAFile: ca}, "authentication required"},
		{"untrusted server certificate", SourceOptions{UsernameFile: user, PasswordFile: pass}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.URL = url
			src, err := NewSource(tt.opts)
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
	dir, git := gitRepo(t)
	head := commitFile(t, dir, git, "cm.yaml", configMap("a"))
	base, ca := httpGitServer(t, filepath.Dir(dir), "git", "ghp_token")
	src, err := NewSource(SourceOptions{URL: base + "/" + filepath.Base(dir), PasswordFile: writeSecret(t, "ghp_token"), CAFile: ca})
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
	dir, git := gitRepo(t)
	first := commitFile(t, dir, git, "a.yaml", configMap("a"))
	commitFile(t, dir, git, "b.yaml", configMap("b"))
	base, ca := httpGitServer(t, filepath.Dir(dir), "alice", "s3cret")
	keyFile, pub := newSSHKey(t)
	addr, knownHosts := sshGitServer(t, filepath.Dir(dir), pub)
	for name, opts := range map[string]SourceOptions{
		"https": {URL: base + "/" + filepath.Base(dir), UsernameFile: writeSecret(t, "alice"), PasswordFile: writeSecret(t, "s3cret"), CAFile: ca},
		"ssh":   {URL: "ssh://git@" + addr + dir, SSHKeyFile: keyFile, KnownHostsFile: knownHosts},
		"file":  {URL: dir},
	} {
		src, err := NewSource(opts)
		if err != nil {
			t.Fatal(err)
		}
		for round := range 3 {
			head := commitFile(t, dir, git, "c.yaml", configMap(name+strings.Repeat("c", round+1)))
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
	dir, git := gitRepo(t)
	head := commitFile(t, dir, git, "k8s/cm.yaml", configMap("a"))
	keyFile, pub := newSSHKey(t)
	otherKey, _ := newSSHKey(t)
	addr, knownHosts := sshGitServer(t, filepath.Dir(dir), pub)
	_, impostor := newSSHKey(t)
	wrongHosts := writeKnownHosts(t, addr, impostor)
	otherHost := writeKnownHosts(t, "127.0.0.2:22", pub)
	url := "ssh://git@" + addr + dir

	tests := []struct {
		name    string
		opts    SourceOptions
		wantErr string
	}{
		{"key and known host", SourceOptions{SSHKeyFile: keyFile, KnownHostsFile: knownHosts}, ""},
		{"insecure opt-in", SourceOptions{SSHKeyFile: keyFile, InsecureIgnoreHostKey: true}, ""},
		{"unknown host key", SourceOptions{SSHKeyFile: keyFile, KnownHostsFile: wrongHosts}, "host key does not match"},
		{"host not listed", SourceOptions{SSHKeyFile: keyFile, KnownHostsFile: otherHost}, "host key is not in the known hosts"},
		{"key not authorized", SourceOptions{SSHKeyFile: otherKey, KnownHostsFile: knownHosts}, "unable to authenticate"},
		{"missing known hosts file", SourceOptions{SSHKeyFile: keyFile, KnownHostsFile: knownHosts + ".missing"}, "known hosts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.URL = url
			src, err := NewSource(tt.opts)
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
	dir, git := gitRepo(t)
	commitFile(t, dir, git, "a.yaml", configMap("a"))
	src, _ := NewSource(SourceOptions{URL: dir})
	if _, err := src.Fetch(t.Context()); err != nil {
		t.Fatal(err)
	}
	base := len(src.storage.Objects)
	for i := range 12 {
		head := commitFile(t, dir, git, "a.yaml", configMap(strings.Repeat("a", i+2)))
		got, paths, err := fetchFiles(t, src)
		if err != nil || got != head || len(paths) != 1 {
			t.Fatalf("fetch %d: got %s %v, %v; want %s", i, got, paths, err, head)
		}
		if n := len(src.storage.Objects); n > cloneGrowthLimit*base+3 {
			t.Fatalf("fetch %d: the clone holds %d objects, its first fetch %d", i, n, base)
		}
	}
}

package source

import (
	"strings"
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"

	"github.com/gitgate-dev/gitgate/gitindex/internal/gittest"
)

func TestSourceOptionsValidate(t *testing.T) {
	f := gittest.WriteSecret(t, "x")
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"local path", Options{URL: "/srv/repo"}, ""},
		{"file URL", Options{URL: "file:///srv/repo"}, ""},
		{"https with token", Options{URL: "https://example.com/org/repo.git", PasswordFile: f}, ""},
		{"ssh URL", Options{URL: "ssh://git@example.com:2222/org/repo.git", SSHKeyFile: f, KnownHostsFile: f}, ""},
		{"scp-style URL", Options{URL: "git@github.com:org/repo.git", SSHKeyFile: f}, ""},
		{"empty URL", Options{}, "URL is empty"},
		{"git protocol", Options{URL: "git://example.com/org/repo.git"}, "not supported"},
		{"credentials over http", Options{URL: "http://example.com/repo.git", PasswordFile: f}, "plain http"},
		{"ssh key for https", Options{URL: "https://example.com/repo.git", SSHKeyFile: f}, "SSH options"},
		{"both host key policies", Options{URL: "git@example.com:org/repo.git", KnownHostsFile: f, InsecureIgnoreHostKey: true}, "exclusive"},
		{"username without password", Options{URL: "https://example.com/repo.git", UsernameFile: f}, "needs PasswordFile"},
		{"CA for ssh", Options{URL: "git@example.com:org/repo.git", CAFile: f}, "CAFile"},
		{"auth and files", Options{URL: "https://example.com/repo.git", Auth: &githttp.BasicAuth{}, PasswordFile: f}, "not both"},
		{"bad verification key", Options{URL: "/srv/repo", VerifyKeys: []string{"not a key"}}, "verification key 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestAuthMethod(t *testing.T) {
	user, token := gittest.WriteSecret(t, "alice"), gittest.WriteSecret(t, "ghp_123")
	keyFile, _ := gittest.NewSSHKey(t)
	auth, err := Options{URL: "https://example.com/r.git", PasswordFile: token}.AuthMethod()
	if b, ok := auth.(*githttp.BasicAuth); err != nil || !ok || b.Username != "git" || b.Password != "ghp_123" {
		t.Errorf("token alone: %#v, %v", auth, err)
	}
	auth, err = Options{URL: "https://example.com/r.git", UsernameFile: user, PasswordFile: token}.AuthMethod()
	if b, ok := auth.(*githttp.BasicAuth); err != nil || !ok || b.Username != "alice" {
		t.Errorf("user and password: %#v, %v", auth, err)
	}
	auth, err = Options{URL: "deploy@example.com:org/r.git", SSHKeyFile: keyFile, InsecureIgnoreHostKey: true}.AuthMethod()
	if k, ok := auth.(*gitssh.PublicKeys); err != nil || !ok || k.User != "deploy" {
		t.Errorf("scp-style with key: %#v, %v", auth, err)
	}
	if auth, err := (Options{URL: "https://example.com/r.git"}).AuthMethod(); auth != nil || err != nil {
		t.Errorf("no credentials: %v, %v", auth, err)
	}
	_, err = Options{URL: "https://example.com/r.git", PasswordFile: token + ".missing"}.AuthMethod()
	if err == nil || !strings.Contains(err.Error(), "read secret file") {
		t.Errorf("missing file: %v", err)
	}
	_, err = Options{URL: "ssh://example.com/r.git", SSHKeyFile: token, InsecureIgnoreHostKey: true}.AuthMethod()
	if err == nil || !strings.Contains(err.Error(), "parse ssh key") {
		t.Errorf("not a key: %v", err)
	}
}

func TestURLRedacted(t *testing.T) {
	src, err := New(Options{URL: "https://bot:ghp_secret@example.com/org/repo.git"})
	if err != nil {
		t.Fatal(err)
	}
	if got := src.URL(); strings.Contains(got, "ghp_secret") {
		t.Errorf("URL() = %q leaks the token", got)
	}
}

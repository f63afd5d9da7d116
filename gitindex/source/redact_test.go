package source

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/google/go-cmp/cmp"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{name: "token as user", in: "https://ghp_TOKEN@github.com/org/repo", want: "https://redacted@github.com/org/repo"},
		{name: "user and password", in: "https://bot:ghp_TOKEN@github.com/org/repo.git", want: "https://redacted@github.com/org/repo.git"},
		{name: "password with an at sign", in: "https://bot:p@ss@host/repo", want: "https://redacted@host/repo"},
		{name: "no path", in: "https://ghp_TOKEN@host", want: "https://redacted@host"},
		{name: "query token", in: "https://host/repo.git?private_token=ghp_TOKEN&x=1#frag", want: "https://host/repo.git?private_token=redacted&x=redacted#frag"},
		{name: "ssh user kept", in: "ssh://git@host:2222/org/repo", want: "ssh://git@host:2222/org/repo"},
		{name: "ssh password", in: "ssh://git:ghp_TOKEN@host/org/repo", want: "ssh://git:redacted@host/org/repo"},
		{name: "scp-style kept", in: "git@github.com:org/repo.git", want: "git@github.com:org/repo.git"},
		{name: "plain URL kept", in: "https://github.com/org/repo", want: "https://github.com/org/repo"},
		{name: "local path kept", in: "/srv/git/repo", want: "/srv/git/repo"},
		{
			name: "go-git error",
			in:   `unexpected client error: unexpected requesting "https://ghp_TOKEN@host/org/repo/info/refs?service=git-upload-pack" status code: 500`,
			want: `unexpected client error: unexpected requesting "https://redacted@host/org/repo/info/refs?service=redacted" status code: 500`,
		},
		{
			name: "denial source line",
			in:   "git: https://ghp_TOKEN@host/org/repo@3f2a1bc:k8s/app.yaml:9",
			want: "git: https://redacted@host/org/repo@3f2a1bc:k8s/app.yaml:9",
		},
		{name: "two URLs", in: "a https://x:y@h/r b http://z@h2 c", want: "a https://redacted@h/r b http://redacted@h2 c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Redact(tc.in)); diff != "" {
				t.Errorf("Redact(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestRedactError(t *testing.T) {
	inner := fmt.Errorf("requesting https://ghp_TOKEN@host/repo: %w", transport.ErrAuthenticationRequired)
	err := RedactError(inner)
	if strings.Contains(err.Error(), "ghp_TOKEN") {
		t.Errorf("RedactError kept the token: %v", err)
	}
	if !errors.Is(err, transport.ErrAuthenticationRequired) {
		t.Errorf("RedactError lost the wrapped error: %v", err)
	}
}

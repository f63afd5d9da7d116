package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-logr/logr/funcr"
)

// TestCommandOutputsRedactTheRepoURL scans the start-up log and the error output
// of commands given a --repo URL with a token for the token.
func TestCommandOutputsRedactTheRepoURL(t *testing.T) {
	const token = "ghp_UNIQUEcli4711"
	for _, repo := range []string{"https://" + token + "@127.0.0.1:1/org/repo", "https://bot:" + token + "@127.0.0.1:1/org/repo", "https://127.0.0.1:1/org/repo?token=" + token} {
		var logged strings.Builder
		logStart(funcr.New(func(prefix, args string) { logged.WriteString(prefix + args) }, funcr.Options{}), &serveFlags{repoFlags: repoFlags{repo: repo, ref: "main"}})
		if !strings.Contains(logged.String(), "127.0.0.1:1/org/repo") || strings.Contains(logged.String(), token) {
			t.Errorf("start-up log for %s: %s", repo, logged.String())
		}
		for _, args := range [][]string{{"drift", "--repo", repo}, {"rbac", "--repo", repo}, {"apply", "--once", "--dry-run", "--repo", repo}} {
			cmd := newRootCommand()
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetArgs(args)
			err := cmd.ExecuteContext(t.Context())
			if err == nil {
				t.Fatalf("%v: want an error (nothing listens on port 1)", args)
			}
			reportError(&out, err)
			if !strings.Contains(out.String(), "127.0.0.1:1/org/repo") || strings.Contains(out.String(), token) {
				t.Errorf("%v: want the URL without the token, got %s", args, out.String())
			}
		}
	}
}

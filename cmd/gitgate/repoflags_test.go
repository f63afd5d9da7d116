package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRepoFlagsEverywhere: every command that reads git takes the same
// repository flags, credentials and --verify-key included, with one meaning.
func TestRepoFlagsEverywhere(t *testing.T) {
	names := []string{"repo", "ref", "path", "policy-path", "default-namespace", "git-username-file", "git-password-file",
		"ssh-key-file", "ssh-key-passphrase-file", "known-hosts-file", "insecure-ignore-host-key", "git-ca-file", "verify-key"}
	root := newRootCommand()
	usage := map[string]string{}
	for _, name := range []string{"serve", "check", "drift", "apply", "rbac"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		var missing []string
		for _, n := range names {
			f := cmd.Flags().Lookup(n)
			switch {
			case f == nil:
				missing = append(missing, n)
			case usage[n] == "":
				usage[n] = f.Usage
			case usage[n] != f.Usage:
				t.Errorf("%s --%s means %q elsewhere %q", name, n, f.Usage, usage[n])
			}
		}
		if diff := cmp.Diff([]string(nil), missing); diff != "" {
			t.Errorf("%s lacks repository flags (-want +got):\n%s", name, diff)
		}
	}
}

package source

import (
	"errors"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/gitgate-dev/gitgate/gitindex/internal/gittest"
)

func TestVerifyCommits(t *testing.T) {
	trusted, trustedPub := gittest.NewPGPKey(t, "release")
	stranger, strangerPub := gittest.NewPGPKey(t, "stranger")
	_, otherPub := gittest.NewPGPKey(t, "other")
	r := gittest.NewSignedRepo(t)
	good := r.Commit("k8s/a.yaml", gittest.ConfigMap("a"), trusted)

	// As serve reads --verify-key files.
	trustedFromFile, err := ReadSecretFile(gittest.WriteSecret(t, trustedPub+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := New(Options{URL: r.Dir, VerifyKeys: []string{otherPub, string(trustedFromFile)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := src.Fetch(t.Context()); err != nil || got != good {
		t.Fatalf("signed commit: Fetch = %s, %v, want %s", got, err, good)
	}
	if got, want := src.Signer(good), "release"; !strings.Contains(got, want) || src.Signer("other") != "" {
		t.Errorf("Signer(%s) = %q, want the key's identity %q", good, got, want)
	}
	for _, tt := range []struct {
		name, reason string
		key          *openpgp.Entity
	}{
		{"unsigned", "not signed", nil},
		{"signed by an unknown key", "no verification key accepts", stranger},
	} {
		bad := r.Commit("k8s/b.yaml", gittest.ConfigMap(tt.name[:3]), tt.key)
		_, err := src.Fetch(t.Context())
		var untrusted *UntrustedCommitError
		if !errors.As(err, &untrusted) || untrusted.Commit != bad || !strings.Contains(untrusted.Reason, tt.reason) {
			t.Fatalf("%s: err = %v, want *UntrustedCommitError for %s (%s)", tt.name, err, bad, tt.reason)
		}
		if got := src.Signer(bad); got != "" {
			t.Errorf("%s: Signer = %q, want none", tt.name, got)
		}
	}
	// The stranger's key, once trusted, verifies its commit.
	src2, _ := New(Options{URL: r.Dir, VerifyKeys: []string{strangerPub}})
	if _, err := src2.Fetch(t.Context()); err != nil {
		t.Errorf("commit signed by a trusted key refused: %v", err)
	}
}

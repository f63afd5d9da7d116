package kube

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/gitgate-dev/gitgate/webhook/audit"
)

// The Secret's own round trip (create if absent, race) runs against a real API
// server in test/e2e (TestAuditTrailProvesItself); these check its content.
func TestNewKeysSecretParses(t *testing.T) {
	s, err := newKeysSecret("gitgate-system", "gitgate-audit-keys")
	if err != nil {
		t.Fatal(err)
	}
	k, err := parseKeys(s)
	if err != nil {
		t.Fatal(err)
	}
	if !k.Signing.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(s.Data[PublicKeyData])) {
		t.Error("signing.pub is not the signing key's public key")
	}
	if k.Digest.ID != audit.DigestKeyID(s.Data[DigestKeyData]) {
		t.Error("digest key id mismatch")
	}
	other, _ := newKeysSecret("gitgate-system", "gitgate-audit-keys")
	if string(other.Data[DigestKeyData]) == string(s.Data[DigestKeyData]) {
		t.Error("two generated Secrets share a digest key")
	}
	delete(s.Data, SigningKeyData)
	if _, err := parseKeys(s); err == nil || !strings.Contains(err.Error(), SigningKeyData) {
		t.Errorf("parseKeys without %s = %v, want an error naming it", SigningKeyData, err)
	}
}

func TestParseAnchors(t *testing.T) {
	got, err := ParseAnchors(map[string]string{"pod-a": `{"log":"pod-a","seq":7,"head":"h","time":"2026-01-02T03:04:05Z","sig":"s"}`})
	if err != nil || got["pod-a"] == nil || got["pod-a"].Seq != 7 {
		t.Errorf("ParseAnchors = %v, %v", got, err)
	}
	if _, err := ParseAnchors(map[string]string{"pod-b": "{"}); err == nil || !strings.Contains(err.Error(), "pod-b") {
		t.Errorf("ParseAnchors(bad) = %v, want an error naming pod-b", err)
	}
}

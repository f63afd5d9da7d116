package audit

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestChains(t *testing.T) {
	dir := t.TempDir()
	files := []string{"pod-a/audit.log", "pod-a/audit.log.1", "pod-a/audit.log.10", "pod-a/audit.log.2",
		"pod-b/audit.log", "pod-b/notes.txt"}
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Chains(dir)
	if err != nil {
		t.Fatal(err)
	}
	j := func(f string) string { return filepath.Join(dir, f) }
	want := [][]string{
		{j("pod-a/audit.log.10"), j("pod-a/audit.log.2"), j("pod-a/audit.log.1"), j("pod-a/audit.log")},
		{j("pod-b/audit.log")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Chains mismatch (-want +got):\n%s", diff)
	}
	if _, err := Chains(j("missing")); err == nil {
		t.Error("Chains(missing): no error")
	}
}

func TestParsePublicKey(t *testing.T) {
	pub := testKey(t, 1).Public().(ed25519.PublicKey)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{
		"raw":    pub,
		"base64": []byte(base64.StdEncoding.EncodeToString(pub) + "\n"),
		"pem":    pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
	} {
		got, err := ParsePublicKey(in)
		if err != nil || !got.Equal(pub) {
			t.Errorf("%s: ParsePublicKey = %x, %v", name, got, err)
		}
	}
	if _, err := ParsePublicKey([]byte("nope")); err == nil {
		t.Error("ParsePublicKey(nope): no error")
	}
}

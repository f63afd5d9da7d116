package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// TestSecretDigestResistsDictionary is issue #13.12: with the unsalted
// sha256(value)[:12] of old, git's and the attempted Secret values were found by
// hashing a list of candidates. With a keyed digest nobody without the key finds
// them that way; the key holder can still check a value.
func TestSecretDigestResistsDictionary(t *testing.T) {
	key, err := NewDigestKey([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	r := testRecord(0)
	r.GVK = GVK{Version: "v1", Kind: "Secret"}
	r.Drift = MaskSecret([]DriftItem{{Path: `data["password"]`, Declared: true, Git: "aHVudGVyMg==", New: "bGV0bWVpbg=="}})
	path := tempLog(t)
	writeRecords(t, Options{Path: path, DigestKey: key}, r)
	line := string(readLines(t, path)[0])
	var got Record
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatal(err)
	}
	if got.DigestKey != key.ID || got.DigestKey == "" {
		t.Errorf("digestKey = %q, want %q", got.DigestKey, key.ID)
	}
	gitDigest, _ := got.Drift[0].Git.(string)
	if !strings.HasPrefix(gitDigest, "hmac-sha256:") || gitDigest == got.Drift[0].New {
		t.Fatalf("git digest = %q, want an hmac-sha256 digest differing from the request's", gitDigest)
	}

	dictionary := []string{"password", "hunter2", "letmein", "aHVudGVyMg==", "bGV0bWVpbg==", "admin", "true", "8080"}
	otherKey, _ := NewDigestKey([]byte("a different key, same length!!!!"))
	for _, guess := range dictionary {
		if strings.Contains(line, `"`+guess+`"`) {
			t.Errorf("line contains the value %q", guess)
		}
		b, _ := json.Marshal(guess)
		sum := sha256.Sum256(b)
		plain := hex.EncodeToString(sum[:])
		for _, candidate := range []string{plain, plain[:12], plain[:32], otherKey.Digest(guess)} {
			if strings.Contains(line, candidate) {
				t.Errorf("guess %q found without the key (as %s)", guess, candidate)
			}
		}
	}
	if key.Digest("aHVudGVyMg==") != gitDigest {
		t.Error("the key holder cannot confirm git's value")
	}
}

func TestNewDigestKey(t *testing.T) {
	if _, err := NewDigestKey([]byte("short")); err == nil {
		t.Error("NewDigestKey accepted a 5-byte key")
	}
	a, _ := NewDigestKey([]byte("0123456789abcdef"))
	b, _ := NewDigestKey([]byte("0123456789abcdeF"))
	if a.ID == b.ID || len(a.ID) != 16 || a.Digest("x") == b.Digest("x") {
		t.Errorf("ids %q %q / digests must differ per key", a.ID, b.ID)
	}
}

func TestSealedValueNeverEncodesItself(t *testing.T) {
	b, err := json.Marshal(MaskSecret([]DriftItem{{Path: "data", Git: "hunter2"}}))
	if err != nil || strings.Contains(string(b), "hunter2") || !strings.Contains(string(b), `"git":"masked"`) {
		t.Errorf("json = %s, %v; want the value masked", b, err)
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/google/go-cmp/cmp"
)

// TestCheckVerifyKey: with --verify-key, check accepts a commit the key signed
// and rejects an unsigned one, as serve would.
func TestCheckVerifyKey(t *testing.T) {
	signer, err := openpgp.NewEntity("gitgate test", "", "test@example.invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "key.asc")
	if err := os.WriteFile(keyFile, armoredPublicKey(t, signer), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		signer   *openpgp.Entity
		wantExit int
		want     string
	}{
		{name: "signed", signer: signer, wantExit: 0, want: ": accepted: 14 objects"},
		{name: "unsigned", signer: nil, wantExit: 1, want: "HEAD: commit "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			repo := signedFixtureRepo(t, nil, tc.signer)
			out, code := runGitgate(t, "", "check", "--repo", repo, "--verify-key", keyFile)
			if diff := cmp.Diff(tc.wantExit, code); diff != "" {
				t.Errorf("exit code (-want +got):\n%s\noutput:\n%s", diff, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

func armoredPublicKey(t *testing.T, e *openpgp.Entity) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

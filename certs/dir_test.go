package certs

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteDirReadDir(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	dir := filepath.Join(t.TempDir(), "certs")
	if err := WriteDir(dir, b); err != nil {
		t.Fatalf("WriteDir: %v", err)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	want := &Bundle{CACert: b.CACert, Cert: b.Cert, Key: b.Key} // the CA key is not written
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadDir (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]fs.FileMode{"ca.crt": 0o644, "tls.crt": 0o644, "tls.key": 0o600}, modes(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

func TestReadDirCAKey(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	dir := t.TempDir()
	if err := WriteDir(dir, b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, CAKeyFile), b.CAKey, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("ReadDir (-want +got):\n%s", diff)
	}
}

func TestReadDirMissing(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	for _, name := range []string{CertFile, KeyFile, CACertFile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := WriteDir(dir, b); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadDir(dir); err == nil {
				t.Errorf("ReadDir without %s succeeded, want error", name)
			}
		})
	}
}

func TestWriteDirRefusesInconsistent(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	other := mustGenerate(t, testOptions(), t0)
	dir := t.TempDir()
	if err := WriteDir(dir, &Bundle{CACert: b.CACert, Cert: b.Cert, Key: other.Key}); err == nil {
		t.Fatal("WriteDir(mismatched key) succeeded, want error")
	}
	if got := modes(t, dir); len(got) != 0 {
		t.Errorf("WriteDir left files %v", got)
	}
}

func TestSyncDirOnlyWhenChanged(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	dir := t.TempDir()
	if wrote, err := syncDir(dir, b, false); err != nil || !wrote {
		t.Fatalf("first syncDir = %v, %v; want true, nil", wrote, err)
	}
	before := stats(t, dir)
	if wrote, err := syncDir(dir, b, false); err != nil || wrote {
		t.Fatalf("second syncDir = %v, %v; want false, nil", wrote, err)
	}
	for name, fi := range stats(t, dir) {
		if !os.SameFile(before[name], fi) {
			t.Errorf("%s was rewritten although unchanged", name)
		}
	}
	renewed, err := Renew(b, testOptions(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if wrote, err := syncDir(dir, renewed, false); err != nil || !wrote {
		t.Fatalf("syncDir(renewed) = %v, %v; want true, nil", wrote, err)
	}
	after := stats(t, dir)
	if !os.SameFile(before[CACertFile], after[CACertFile]) {
		t.Error("ca.crt was rewritten although unchanged")
	}
	if os.SameFile(before[CertFile], after[CertFile]) {
		t.Error("tls.crt was not rewritten")
	}
}

// modes lists the files in dir (temporary ones included) with their modes.
func modes(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	got := map[string]fs.FileMode{}
	for name, fi := range stats(t, dir) {
		got[name] = fi.Mode().Perm()
	}
	return got
}

func stats(t *testing.T, dir string) map[string]fs.FileInfo {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]fs.FileInfo{}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = fi
	}
	return got
}

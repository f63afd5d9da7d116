package main

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// fixtureDir is the repository `gitgate check` and the provenance suite are
// tested on: plain manifests, a List, a stringData Secret, lists compared
// whole, a CRD and its custom resource, and a kustomize overlay with a
// component and JSON 6902 patches. Lines that set a tested value carry a
// "# @name" marker.
const fixtureDir = "testdata/checkrepo"

// fixtureRepo writes the fixture, with extra files (path → content; "" deletes)
// over it, to a new git repository and commits it; it returns the folder.
func fixtureRepo(t *testing.T, extra map[string]string) string {
	return signedFixtureRepo(t, extra, nil)
}

// signedFixtureRepo is fixtureRepo with the commit signed by signer (nil: unsigned).
func signedFixtureRepo(t *testing.T, extra map[string]string, signer *openpgp.Entity) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(fixtureDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixtureDir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(dir, rel), data)
	})
	if err != nil {
		t.Fatal(err)
	}
	for rel, content := range extra {
		if content == "" {
			err = os.Remove(filepath.Join(dir, rel))
		} else {
			err = writeFile(filepath.Join(dir, rel), []byte(content))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	commitAll(t, dir, signer)
	return dir
}

func writeFile(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// commitAll commits every file of the working copy dir (a new repository).
func commitAll(t *testing.T, dir string, signer *openpgp.Entity) {
	t.Helper()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddGlob("."); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "test", Email: "test@example.invalid", When: time.Unix(1700000000, 0)}
	if _, err := wt.Commit("fixture", &git.CommitOptions{Author: sig, SignKey: signer}); err != nil {
		t.Fatal(err)
	}
}

// fixtureSnapshot builds the fixture's snapshot straight from its files.
func fixtureSnapshot(t *testing.T) *gitindex.Snapshot {
	t.Helper()
	var files []gitindex.File
	err := filepath.WalkDir(fixtureDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixtureDir, p)
		data, err := os.ReadFile(p)
		files = append(files, gitindex.File{Path: filepath.ToSlash(rel), Data: data})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := gitindex.Build("0123456789abcdef", files, gitindex.BuildOptions{Repo: "fixture"})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// marker returns file:line of the fixture line marked "# @name".
func marker(t *testing.T, file, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, file))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		if strings.HasSuffix(sc.Text(), "# @"+name) {
			return file + ":" + strconv.Itoa(line)
		}
	}
	t.Fatalf("no marker @%s in %s", name, file)
	return ""
}

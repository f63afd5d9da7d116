package gittest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// NewPGPKey makes an OpenPGP key for name and returns it with its armored
// public key.
func NewPGPKey(t *testing.T, name string) (*openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", name+"@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return e, buf.String()
}

// SignedRepo is a repository committed to with go-git, which signs without gpg.
type SignedRepo struct {
	t    *testing.T
	Dir  string // the working copy
	repo *git.Repository
}

// NewSignedRepo makes an empty repository on branch main.
func NewSignedRepo(t *testing.T) *SignedRepo {
	dir := t.TempDir()
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: "refs/heads/main"}})
	if err != nil {
		t.Fatal(err)
	}
	return &SignedRepo{t: t, Dir: dir, repo: repo}
}

// Commit writes a file and commits it, signed by key unless key is nil.
func (r *SignedRepo) Commit(rel, content string, key *openpgp.Entity) string {
	r.t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(r.Dir, rel)), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.Dir, rel), []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
	wt, _ := r.repo.Worktree()
	if _, err := wt.Add(rel); err != nil {
		r.t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@t", When: time.Now()}
	h, err := wt.Commit("change "+rel, &git.CommitOptions{Author: sig, SignKey: key})
	if err != nil {
		r.t.Fatal(err)
	}
	return h.String()
}

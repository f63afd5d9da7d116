package gitindex

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func newPGPKey(t *testing.T, name string) (*openpgp.Entity, string) {
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

// signedRepo is a repository committed to with go-git, which signs without gpg.
type signedRepo struct {
	t    *testing.T
	dir  string
	repo *git.Repository
}

func newSignedRepo(t *testing.T) *signedRepo {
	dir := t.TempDir()
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: "refs/heads/main"}})
	if err != nil {
		t.Fatal(err)
	}
	return &signedRepo{t: t, dir: dir, repo: repo}
}

// commit writes a file and commits it, signed by key unless key is nil.
func (r *signedRepo) commit(rel, content string, key *openpgp.Entity) string {
	r.t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(r.dir, rel)), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, rel), []byte(content), 0o644); err != nil {
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

func TestVerifyCommits(t *testing.T) {
	trusted, trustedPub := newPGPKey(t, "release")
	stranger, strangerPub := newPGPKey(t, "stranger")
	_, otherPub := newPGPKey(t, "other")
	r := newSignedRepo(t)
	good := r.commit("k8s/a.yaml", configMap("a"), trusted)

	// As serve reads --verify-key files.
	trustedFromFile, err := ReadSecretFile(writeSecret(t, trustedPub+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewSource(SourceOptions{URL: r.dir, VerifyKeys: []string{otherPub, string(trustedFromFile)}})
	if err != nil {
		t.Fatal(err)
	}
	var loaded []string
	p := NewPoller(src, BuildOptions{Paths: []string{"k8s"}}, time.Hour, func(_ context.Context, s *Snapshot) error {
		loaded = append(loaded, s.Commit)
		return nil
	})
	if err := p.Sync(t.Context()); err != nil || p.Status().Commit != good {
		t.Fatalf("signed commit: %v, status %+v", err, p.Status())
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
		bad := r.commit("k8s/b.yaml", configMap(tt.name[:3]), tt.key)
		err := p.Sync(t.Context())
		var untrusted *UntrustedCommitError
		if !errors.As(err, &untrusted) || untrusted.Commit != bad || !strings.Contains(untrusted.Reason, tt.reason) {
			t.Fatalf("%s: err = %v, want *UntrustedCommitError for %s (%s)", tt.name, err, bad, tt.reason)
		}
		if st := p.Status(); st.Commit != good || st.RejectedCommit != bad || len(loaded) != 1 {
			t.Fatalf("%s: status %+v, loaded %v: the last good revision must stay", tt.name, st, loaded)
		}
	}
	// The stranger's key, once trusted, verifies its commit.
	src2, _ := NewSource(SourceOptions{URL: r.dir, VerifyKeys: []string{strangerPub}})
	if _, err := src2.Fetch(t.Context()); err != nil {
		t.Errorf("commit signed by a trusted key refused: %v", err)
	}
}

package gitindex

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gitRepo makes a real repository with the git CLI.
func gitRepo(t testing.TB) (dir string, git func(args ...string) string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir = t.TempDir()
	git = func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	return dir, git
}

func write(t testing.TB, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPollerKeepsLastGoodRevision(t *testing.T) {
	dir, git := gitRepo(t)
	write(t, dir, "k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n")
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	first := git("rev-parse", "HEAD")

	src, err := NewSource(SourceOptions{URL: dir, Ref: "main"})
	if err != nil {
		t.Fatal(err)
	}
	var loaded []*Snapshot
	p := NewPoller(src, BuildOptions{Paths: []string{"k8s"}}, time.Hour, func(_ context.Context, s *Snapshot) error {
		loaded = append(loaded, s)
		return nil
	})
	if err := p.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p.Status().Commit != first || len(loaded) != 1 || loaded[0].Len() != 1 {
		t.Fatalf("status %+v, loaded %d", p.Status(), len(loaded))
	}

	write(t, dir, "k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n")
	git("commit", "-q", "-am", "broken")
	if err := p.Sync(t.Context()); err == nil || !strings.Contains(err.Error(), "k8s/cm.yaml:1") {
		t.Fatalf("broken commit: err = %v", err)
	}
	st := p.Status()
	if st.Commit != first || st.RejectedCommit == "" || len(loaded) != 1 {
		t.Fatalf("after broken commit: status %+v, loaded %d", st, len(loaded))
	}

	os.RemoveAll(dir)
	if err := p.Sync(t.Context()); err == nil {
		t.Fatal("unreachable repository: want error")
	}
	if p.Status().Commit != first {
		t.Fatalf("unreachable repository dropped the revision: %+v", p.Status())
	}
}

func TestSourceRefs(t *testing.T) {
	dir, git := gitRepo(t)
	write(t, dir, "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	head := git("rev-parse", "HEAD")
	git("tag", "-a", "v1", "-m", "release")
	for _, ref := range []string{"main", "v1", head} {
		src, _ := NewSource(SourceOptions{URL: dir, Ref: ref})
		got, err := src.Fetch(t.Context())
		if err != nil || got != head {
			t.Errorf("ref %s: got %s, %v; want %s", ref, got, err, head)
		}
	}
	src, _ := NewSource(SourceOptions{URL: dir, Ref: "nope"})
	if _, err := src.Fetch(t.Context()); err == nil {
		t.Error("missing ref: want error")
	}
}

// TestSourceRefChangesKind checks that the branch-or-tag lookup, kept between
// fetches, is done again when the ref goes away.
func TestSourceRefChangesKind(t *testing.T) {
	dir, git := gitRepo(t)
	write(t, dir, "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	first := git("rev-parse", "HEAD")
	git("branch", "release")
	src, _ := NewSource(SourceOptions{URL: dir, Ref: "release"})
	if got, err := src.Fetch(t.Context()); err != nil || got != first {
		t.Fatalf("branch: got %s, %v", got, err)
	}
	git("commit", "-q", "--allow-empty", "-m", "two")
	second := git("rev-parse", "HEAD")
	git("branch", "-D", "release")
	git("tag", "release")
	if got, err := src.Fetch(t.Context()); err != nil || got != second {
		t.Fatalf("tag: got %s, %v; want %s", got, err, second)
	}
}

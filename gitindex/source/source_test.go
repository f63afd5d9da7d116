package source

import (
	"testing"

	"github.com/gitgate-dev/gitgate/gitindex/internal/gittest"
)

func TestSourceRefs(t *testing.T) {
	dir, git := gittest.Repo(t)
	gittest.Write(t, dir, "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	head := git("rev-parse", "HEAD")
	git("tag", "-a", "v1", "-m", "release")
	for _, ref := range []string{"main", "v1", head} {
		src, _ := New(Options{URL: dir, Ref: ref})
		got, err := src.Fetch(t.Context())
		if err != nil || got != head {
			t.Errorf("ref %s: got %s, %v; want %s", ref, got, err, head)
		}
	}
	src, _ := New(Options{URL: dir, Ref: "nope"})
	if _, err := src.Fetch(t.Context()); err == nil {
		t.Error("missing ref: want error")
	}
}

// TestSourceRefChangesKind checks that the branch-or-tag lookup, kept between
// fetches, is done again when the ref goes away.
func TestSourceRefChangesKind(t *testing.T) {
	dir, git := gittest.Repo(t)
	gittest.Write(t, dir, "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	first := git("rev-parse", "HEAD")
	git("branch", "release")
	src, _ := New(Options{URL: dir, Ref: "release"})
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

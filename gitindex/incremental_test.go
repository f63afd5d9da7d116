package gitindex

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/gitindex/internal/gittest"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

func mustBuild(t *testing.T, files []File, opts BuildOptions) *Snapshot {
	t.Helper()
	s, err := Build("c", files, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func lookup(t *testing.T, s *Snapshot, k Key) *Object {
	t.Helper()
	o, ok := s.Lookup(k)
	if !ok {
		t.Fatalf("%s not in snapshot", k)
	}
	return o
}

func TestBuildReusesUnchangedFiles(t *testing.T) {
	a, b := Key{Kind: "ConfigMap", Namespace: "x", Name: "a"}, Key{Kind: "ConfigMap", Namespace: "x", Name: "b"}
	files := []File{{Path: "a.yaml", Data: []byte(gittest.ConfigMap("a"))}, {Path: "b.yaml", Data: []byte(gittest.ConfigMap("b"))}}
	first := mustBuild(t, files, BuildOptions{})

	files[1].Data = []byte(gittest.ConfigMap("b") + "data: {k: v}\n")
	second := mustBuild(t, files, BuildOptions{Previous: first})
	if lookup(t, second, a) != lookup(t, first, a) {
		t.Error("unchanged a.yaml was decoded again")
	}
	if lookup(t, second, b) == lookup(t, first, b) || lookup(t, second, b).Object["data"] == nil {
		t.Error("changed b.yaml was not decoded again")
	}
	if lookup(t, first, b).Object["data"] != nil {
		t.Error("the previous snapshot changed")
	}

	// A new object in a changed file that duplicates a reused one is still caught.
	files = append(files, File{Path: "c.yaml", Data: []byte(gittest.ConfigMap("a"))})
	var be *BuildError
	if _, err := Build("c", files, BuildOptions{Previous: second}); !errors.As(err, &be) {
		t.Errorf("duplicate of a reused object: err = %v", err)
	}
}

func TestBuildReuseFollowsScope(t *testing.T) {
	crd := func(scope string) []byte {
		return []byte("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n" +
			"spec: {group: example.com, scope: " + scope + ", names: {kind: Widget, plural: widgets}}\n")
	}
	files := []File{{Path: "crd.yaml", Data: crd("Namespaced")}, {Path: "w.yaml", Data: []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")}}
	first := mustBuild(t, files, BuildOptions{})
	lookup(t, first, Key{Group: "example.com", Kind: "Widget", Namespace: "default", Name: "w"})

	files[0].Data = crd("Cluster")
	second := mustBuild(t, files, BuildOptions{Previous: first})
	lookup(t, second, Key{Group: "example.com", Kind: "Widget", Name: "w"})

	third := mustBuild(t, files, BuildOptions{Previous: second, DefaultNamespace: "apps"})
	if lookup(t, third, Key{Group: "example.com", Kind: "Widget", Name: "w"}) != lookup(t, second, Key{Group: "example.com", Kind: "Widget", Name: "w"}) {
		t.Error("cluster-scoped object not reused across a default namespace change")
	}
	files[0].Data = crd("Namespaced")
	fourth := mustBuild(t, files, BuildOptions{Previous: third, DefaultNamespace: "apps"})
	lookup(t, fourth, Key{Group: "example.com", Kind: "Widget", Namespace: "apps", Name: "w"})
}

func TestBuildReusesKustomizations(t *testing.T) {
	files := func(replicas string, extra ...File) []File {
		fs := []File{
			{Path: "app/base/kustomization.yaml", Data: []byte("resources: [deploy.yaml]\n")},
			{Path: "app/base/deploy.yaml", Data: []byte(deployment)},
			{Path: "app/prod/kustomization.yaml", Data: []byte("resources: [../base]\npatches: [{path: r.yaml}]\n")},
			{Path: "app/prod/r.yaml", Data: []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: " + replicas + "}\n")},
			{Path: "plain/cm.yaml", Data: []byte(gittest.ConfigMap("a"))},
		}
		return append(fs, extra...)
	}
	web := Key{Group: "apps", Kind: "Deployment", Namespace: "default", Name: "web"}
	first := mustBuild(t, files("2"), BuildOptions{})
	if replicas := lookup(t, first, web).Object["spec"].(map[string]any)["replicas"]; first.Len() != 2 || replicas != int64(2) {
		t.Fatalf("base rendered on its own too: %d objects, web with %v replicas", first.Len(), replicas)
	}
	unrelated := File{Path: "plain/cm.yaml", Data: []byte(gittest.ConfigMap("b"))}
	tests := []struct {
		name   string
		files  []File
		reused bool
	}{
		{"nothing changed", files("2"), true},
		{"an unrelated manifest changed", replace(files("2"), unrelated), true},
		{"an unused file next to the kustomization", files("2", File{Path: "app/prod/notes.txt", Data: []byte("x")}), true},
		{"a patch changed", files("3"), false},
		{"the base changed", replace(files("2"), File{Path: "app/base/deploy.yaml", Data: []byte(deployment + "  paused: true\n")}), false},
		{"a second kustomization file appeared", files("2", File{Path: "app/prod/kustomization.yml", Data: []byte("resources: []\n")}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next, err := Build("c", tt.files, BuildOptions{Previous: first})
			if tt.name == "a second kustomization file appeared" {
				if err == nil {
					t.Fatal("two kustomization files in one directory: want error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := lookup(t, next, web) == lookup(t, first, web); got != tt.reused {
				t.Errorf("reused = %v, want %v", got, tt.reused)
			}
		})
	}
}

// replace swaps the files with the same paths.
func replace(files []File, with ...File) []File {
	for _, w := range with {
		for i := range files {
			if files[i].Path == w.Path {
				files[i] = w
			}
		}
	}
	return files
}

func TestPollerBuildsIncrementally(t *testing.T) {
	dir, git := gittest.Repo(t)
	gittest.Write(t, dir, "k8s/a.yaml", gittest.ConfigMap("a"))
	gittest.Commit(t, dir, git, "k8s/b.yaml", gittest.ConfigMap("b"))
	src, _ := source.New(source.Options{URL: dir})
	var loaded []*Snapshot
	p := NewPoller(src, BuildOptions{Paths: []string{"k8s"}}, time.Hour, func(_ context.Context, s *Snapshot) error {
		loaded = append(loaded, s)
		return nil
	})
	if err := p.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	gittest.Commit(t, dir, git, "k8s/b.yaml", gittest.ConfigMap("b")+"data: {k: v}\n")
	if err := p.Sync(t.Context()); err != nil || len(loaded) != 2 {
		t.Fatalf("second sync: %v, %d loaded", err, len(loaded))
	}
	a := Key{Kind: "ConfigMap", Namespace: "x", Name: "a"}
	if lookup(t, loaded[0], a) != lookup(t, loaded[1], a) {
		t.Error("the poller decoded an unchanged file again")
	}
}

// TestBuildManyFiles decodes enough files to use every core (run with -race).
func TestBuildManyFiles(t *testing.T) {
	var files []File
	for i := range 200 {
		files = append(files, File{Path: fmt.Sprintf("k8s/%03d.yaml", i), Data: []byte(benchFile(i, 0))})
	}
	first := mustBuild(t, files, BuildOptions{})
	files[7].Data = []byte(benchFile(7, 1))
	second := mustBuild(t, files, BuildOptions{Previous: first})
	if first.Len() != 200*objectsPerFile || second.Len() != first.Len() {
		t.Fatalf("%d and %d objects, want %d", first.Len(), second.Len(), 200*objectsPerFile)
	}
	o := lookup(t, second, Key{Group: "apps", Kind: "Deployment", Namespace: "team-21", Name: "app-71"})
	if o.Source() != "k8s/007.yaml:40" || o.LineOf("spec.replicas") != 48 {
		t.Errorf("app-71 at %s, replicas at line %d", o.Source(), o.LineOf("spec.replicas"))
	}
}

package gitindex

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/gitindex/internal/gittest"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
`

// kustomizeRepo is a repository with a base, an overlay using it (and a file of
// a sibling directory outside the manifest paths), and plain manifests.
var kustomizeRepo = map[string]string{
	"apps/web/base/kustomization.yaml":              "resources: [deploy.yaml]\n",
	"apps/web/base/deploy.yaml":                     deployment,
	"apps/web/overlays/prod/kustomization.yaml":     "namespace: prod\nnamePrefix: prod-\nresources:\n- ../../base\n- ../../../../shared/ns.yaml\npatches:\n- path: replicas.yaml\nconfigMapGenerator:\n- name: settings\n  files: [app.properties]\n",
	"apps/web/overlays/prod/replicas.yaml":          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",
	"apps/web/overlays/prod/app.properties":         "color=blue\n",
	"apps/web/overlays/prod/notes/readme.txt":       "not read by kustomize\n",
	"shared/ns.yaml":                                "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n",
	"apps/plain/cm.yaml":                            gittest.ConfigMap("plain"),
	"docs/kustomization-example/kustomization.yaml": "resources: [https://example.com/x.yaml]\n",
}

func TestBuildKustomize(t *testing.T) {
	dir, git := gittest.Repo(t)
	for p, c := range kustomizeRepo {
		gittest.Write(t, dir, p, c)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "kustomize")
	commit, files, err := source.LocalCommit(dir, "HEAD", "apps", "policies")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		if f.Hash == "" {
			t.Errorf("%s: no hash", f.Path)
		}
	}
	if want := "apps/web/overlays/prod/app.properties"; !strings.Contains(strings.Join(paths, ","), want) {
		t.Errorf("CommitFiles left out %s, which a kustomization uses: %v", want, paths)
	}
	snap, err := Build(commit, files, BuildOptions{Paths: []string{"apps"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range snap.Objects() {
		got = append(got, o.Key.String()+" @ "+o.Source())
	}
	want := []string{ // rendered objects point at their origin (see origin_test.go)
		"ConfigMap x/plain @ apps/plain/cm.yaml:1",
		"Deployment.apps prod/prod-web @ apps/web/base/deploy.yaml:1",
		"ConfigMap prod/prod-settings-" + configMapSuffix(t, snap) + " @ apps/web/overlays/prod/kustomization.yaml:9",
		"Namespace prod @ shared/ns.yaml:1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	web, _ := snap.Lookup(Key{Group: "apps", Kind: "Deployment", Namespace: "prod", Name: "prod-web"})
	if spec := web.Object["spec"].(map[string]any); spec["replicas"] != int64(3) {
		t.Errorf("patch not applied or not decoded as int64: %#v", spec["replicas"])
	}
}

func configMapSuffix(t *testing.T, s *Snapshot) string {
	for _, o := range s.Objects() {
		if rest, ok := strings.CutPrefix(o.Name, "prod-settings-"); ok {
			return rest
		}
	}
	t.Fatal("no generated ConfigMap")
	return ""
}

func TestBuildKustomizeRefuses(t *testing.T) {
	tests := []struct {
		name, kustomization, want string
	}{
		{"remote git base", "resources:\n- github.com/example/repo//deploy?ref=v1\n", "remote resource"},
		{"remote scp-style base", "resources: [git@example.com:org/repo.git]\n", "remote resource"},
		{"remote file", "resources: [https://example.com/deploy.yaml]\n", "remote resource"},
		{"remote patch", "resources: [d.yaml]\npatches:\n- path: https://example.com/p.yaml\n", "remote file"},
		{"file URL base", "resources: [file:///etc]\n", "remote resource"},
		{"helm chart", "helmCharts:\n- name: x\n  repo: https://charts.example.com\n", "helm charts are not supported"},
		{"exec plugin", "resources: [d.yaml]\ntransformers: [plugin.yaml]\n", "plugin"},
		{"missing resource", "resources: [missing.yaml]\n", "missing.yaml"},
		{"escape the repository", "resources: [../../../../etc/passwd]\n", "passwd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build("c0ffee", []File{
				{Path: "app/kustomization.yaml", Data: []byte(tt.kustomization)},
				{Path: "app/d.yaml", Data: []byte(gittest.ConfigMap("d"))},
				{Path: "app/plugin.yaml", Data: []byte("apiVersion: example.com/v1\nkind: Exec\nmetadata: {name: p}\n")},
			}, BuildOptions{})
			var be *BuildError
			if !errors.As(err, &be) || !strings.Contains(err.Error(), "app/kustomization.yaml:1: kustomize build app") ||
				!strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a *BuildError about %q", err, tt.want)
			}
		})
	}
}

func TestSourceIgnore(t *testing.T) {
	dir, git := gittest.Repo(t)
	for p, c := range map[string]string{
		source.IgnoreFile:    "# comment\n/k8s/drafts/\n*.tmp.yaml\n!keep.tmp.yaml\n",
		"k8s/a.yaml":         gittest.ConfigMap("a"),
		"k8s/drafts/b.yaml":  gittest.ConfigMap("b"),
		"k8s/c.tmp.yaml":     gittest.ConfigMap("c"),
		"k8s/keep.tmp.yaml":  gittest.ConfigMap("keep"),
		"k8s/sub/drafts.yml": gittest.ConfigMap("d"),
	} {
		gittest.Write(t, dir, p, c)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "ignore")
	commit, files, err := source.LocalCommit(dir, "HEAD", "k8s")
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	if diff := cmp.Diff([]string{source.IgnoreFile, "k8s/a.yaml", "k8s/keep.tmp.yaml", "k8s/sub/drafts.yml"}, paths); diff != "" {
		t.Errorf("CommitFiles (-want +got):\n%s", diff)
	}
	// Build applies .sourceignore too, for files from elsewhere.
	files = append(files, File{Path: "k8s/drafts/b.yaml", Data: []byte(gittest.ConfigMap("b"))})
	snap, err := Build(commit, files, BuildOptions{})
	if err != nil || snap.Len() != 3 {
		t.Fatalf("Build: %v, %d objects, want 3", err, snap.Len())
	}
}

// TestPollerKustomize follows commits of a kustomize repository through the
// Poller, whose files are read only when a build needs them.
func TestPollerKustomize(t *testing.T) {
	dir, git := gittest.Repo(t)
	for p, c := range kustomizeRepo {
		gittest.Write(t, dir, p, c)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "kustomize")
	src, _ := source.New(source.Options{URL: dir})
	var loaded []*Snapshot
	p := NewPoller(src, BuildOptions{Paths: []string{"apps"}}, time.Hour, func(_ context.Context, s *Snapshot) error {
		loaded = append(loaded, s)
		return nil
	})
	web := Key{Group: "apps", Kind: "Deployment", Namespace: "prod", Name: "prod-web"}
	replicas := func(s *Snapshot) any { return lookup(t, s, web).Object["spec"].(map[string]any)["replicas"] }
	steps := []struct {
		file, content string
		rendered      bool
		replicas      int64
	}{
		{"", "", true, 3},
		{"apps/plain/cm.yaml", gittest.ConfigMap("plain") + "data: {k: v}\n", false, 3},
		{"apps/web/overlays/prod/replicas.yaml", strings.Replace(kustomizeRepo["apps/web/overlays/prod/replicas.yaml"], "3", "5", 1), true, 5},
	}
	for i, st := range steps {
		if st.file != "" {
			gittest.Commit(t, dir, git, st.file, st.content)
		}
		if err := p.Sync(t.Context()); err != nil || len(loaded) != i+1 {
			t.Fatalf("step %d: %v, %d loaded", i, err, len(loaded))
		}
		if got := replicas(loaded[i]); got != st.replicas {
			t.Errorf("step %d: replicas %v, want %d", i, got, st.replicas)
		}
		if i > 0 && (lookup(t, loaded[i], web) != lookup(t, loaded[i-1], web)) != st.rendered {
			t.Errorf("step %d: rendered again = %v, want %v", i, !st.rendered, st.rendered)
		}
	}
}

func TestBuildKustomizeRootAndDotDirs(t *testing.T) {
	for _, dir := range []string{"", ".deploy/"} {
		snap, err := Build("c", []File{
			{Path: dir + "kustomization.yaml", Data: []byte("namespace: ns\nresources: [cm.yaml]\n")},
			{Path: dir + "cm.yaml", Data: []byte(gittest.ConfigMap("a"))},
		}, BuildOptions{})
		if err != nil {
			t.Fatalf("%q: %v", dir, err)
		}
		if o := lookup(t, snap, Key{Kind: "ConfigMap", Namespace: "ns", Name: "a"}); o.Source() != dir+"cm.yaml:1" {
			t.Errorf("%q: rendered object at %s", dir, o.Source())
		}
	}
}

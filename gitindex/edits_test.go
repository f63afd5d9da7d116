package gitindex

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// editsFiles reads testdata/edits (a base; a staging overlay with a patch file,
// inline patches, a JSON 6902 patch file and an images entry; a prod overlay
// over staging with patchesStrategicMerge, an inline patch, replicas and
// images) as the files of a commit under apps/, leaving out the directories skip.
func editsFiles(t *testing.T, skip ...string) []File {
	t.Helper()
	var files []File
	root := filepath.Join("testdata", "edits")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		for _, s := range skip {
			if strings.HasPrefix(rel, s+string(filepath.Separator)) {
				return nil
			}
		}
		data, err := os.ReadFile(p)
		files = append(files, File{Path: path.Join("apps", filepath.ToSlash(rel)), Data: data})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestSourceOf(t *testing.T) {
	const base, staging, prod = "apps/base/", "apps/staging/", "apps/prod/"
	const web, proxy, worker = "spec.template.spec.containers[name=web].", "spec.template.spec.containers[name=proxy].",
		"spec.template.spec.containers[name=worker]."
	tests := []struct {
		name, root, object, path, want string
	}{
		{"patch file", "staging", "web", "spec.replicas", staging + "scale.yaml:6"},
		{"patch file image", "staging", "web", web + "image", staging + "scale.yaml:11"},
		{"inline JSON 6902 patch", "staging", "worker", "spec.replicas", staging + "kustomization.yaml:11"},
		{"one-line inline patch", "staging", "worker", "spec.minReadySeconds", staging + "kustomization.yaml:13"},
		{"JSON 6902 patch file", "staging", "web", web + "resources.limits.cpu", staging + "probe.yaml:5"},
		{"images entry", "staging", "web", proxy + "image", staging + "kustomization.yaml:18"},
		{"untouched field", "staging", "worker", worker + "image", base + "deploy.yaml:26"},
		{"set by namePrefix", "staging", "web", "metadata.name", base + "deploy.yaml:1"},
		{"set by namespace", "staging", "web", "metadata.namespace", base + "deploy.yaml:1"},
		{"no such field", "staging", "web", "spec.paused", base + "deploy.yaml:1"},
		{"the overlay's patch wins", "prod", "web", "spec.replicas", prod + "replicas.yaml:6"},
		{"the overlay's images wins", "prod", "web", web + "image", prod + "kustomization.yaml:21"},
		{"the overlay's replicas wins", "prod", "worker", "spec.replicas", prod + "kustomization.yaml:18"},
		{"the overlay's inline patch", "prod", "worker", worker + "image", prod + "kustomization.yaml:16"},
		{"the base overlay's images", "prod", "web", proxy + "image", staging + "kustomization.yaml:18"},
		{"the base overlay's patch", "prod", "web", web + "resources.limits.cpu", staging + "probe.yaml:5"},
		{"untouched in both", "prod", "web", proxy + "args", base + "deploy.yaml:14"},
		{"the object", "prod", "web", "", base + "deploy.yaml:1"},
	}
	snaps := map[string]*Snapshot{
		"staging": mustBuild(t, editsFiles(t, "prod"), BuildOptions{}),
		"prod":    mustBuild(t, editsFiles(t), BuildOptions{}),
	}
	var got, want []string
	for _, tt := range tests {
		o := lookup(t, snaps[tt.root], Key{Group: "apps", Kind: "Deployment", Namespace: tt.root, Name: "staging-" + tt.object})
		file, line := o.SourceOf(tt.path)
		got = append(got, fmt.Sprintf("%s: %s:%d", tt.name, file, line))
		want = append(want, tt.name+": "+tt.want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SourceOf (-want +got):\n%s", diff)
	}
}

// TestSourceOfPlain: a manifest outside kustomizations has no edits; SourceOf is
// Path and LineOf.
func TestSourceOfPlain(t *testing.T) {
	snap := mustBuild(t, []File{{Path: "web.yaml", Data: []byte("# web\n" + deployment)}}, BuildOptions{})
	o := lookup(t, snap, Key{Group: "apps", Kind: "Deployment", Namespace: "default", Name: "web"})
	for _, p := range []string{"", "spec.replicas", "spec.template.spec.containers[name=web].image", "spec.paused"} {
		file, line := o.SourceOf(p)
		if got, want := fmt.Sprintf("%s:%d", file, line), fmt.Sprintf("web.yaml:%d", o.LineOf(p)); got != want {
			t.Errorf("SourceOf(%q) = %s, want %s", p, got, want)
		}
	}
}

func TestSplitImage(t *testing.T) {
	tests := []struct{ in, name, tag, digest string }{
		{"nginx", "nginx", "", ""},
		{"nginx:1.27", "nginx", "1.27", ""},
		{"registry:5000/team/nginx", "registry:5000/team/nginx", "", ""},
		{"registry:5000/nginx:1@sha256:ab", "registry:5000/nginx", "1", "sha256:ab"},
	}
	for _, tt := range tests {
		name, tag, digest := splitImage(tt.in)
		if diff := cmp.Diff([]string{tt.name, tt.tag, tt.digest}, []string{name, tag, digest}); diff != "" {
			t.Errorf("splitImage(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

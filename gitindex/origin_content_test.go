package gitindex

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
)

// keepContentObjects are ConfigMaps with annotations of their own, empty ones and none.
const keepContentObjects = `apiVersion: v1
kind: ConfigMap
metadata:
  name: own
  annotations: {owner: me, config.kubernetes.io/origin: "path: elsewhere.yaml"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: empty, annotations: {}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: none}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: replaced, annotations: {a: b}}
`

// TestKustomizeOriginsKeepContent renders kustomizations as kustomize does
// without origin tracking and compares every object: the origin and transformer
// annotations gitgate asks for never reach an object, unless the kustomization
// asks for them.
func TestKustomizeOriginsKeepContent(t *testing.T) {
	tests := []struct {
		name          string
		kustomization string
		want          map[string]string // object name → source
		annotated     bool              // the objects keep config.kubernetes.io/origin
		transformed   bool              // the objects keep alpha.config.kubernetes.io/transformations
	}{
		{"annotations and generators", "namespace: ns\nresources: [objects.yaml]\ncommonAnnotations: {team: a}\n" +
			"patches:\n- target: {name: replaced}\n  patch: '[{\"op\": \"replace\", \"path\": \"/metadata/annotations\", \"value\": {\"x\": \"y\"}}]'\n" +
			"configMapGenerator:\n- name: gen\n  literals: [k=v]\n",
			map[string]string{"own": "app/objects.yaml:1", "empty": "app/objects.yaml:7", "none": "app/objects.yaml:11",
				"replaced": "app/kustomization.yaml:1", "gen": "app/kustomization.yaml:8"}, false, false},
		{"patches and images", "namespace: ns\nresources: [objects.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: |-\n" +
			"    - {op: add, path: /metadata/labels, value: {p: x}}\nimages: [{name: nginx, newTag: '2'}]\n",
			map[string]string{"own": "app/objects.yaml:1", "none": "app/objects.yaml:11"}, false, false},
		{"no annotations at all", "namespace: ns\nresources: [objects.yaml]\n",
			map[string]string{"none": "app/objects.yaml:11"}, false, false},
		{"asks for origin annotations itself", "namespace: ns\nresources: [objects.yaml]\nbuildMetadata: [originAnnotations]\n",
			map[string]string{"own": "app/objects.yaml:1"}, true, false},
		{"asks for transformer annotations itself", "namespace: ns\nresources: [objects.yaml]\n" +
			"patches: [{target: {kind: ConfigMap}, patch: '- {op: add, path: /metadata/labels, value: {p: x}}'}]\nbuildMetadata: [transformerAnnotations]\n",
			map[string]string{"own": "app/kustomization.yaml:1"}, false, true},
		{"asks for both itself", "namespace: ns\nresources: [objects.yaml]\nbuildMetadata: [transformerAnnotations, originAnnotations]\n",
			map[string]string{"own": "app/objects.yaml:1"}, true, true},
		{"asks for other build metadata", "namespace: ns\nresources: [objects.yaml]\nbuildMetadata: [managedByLabel]\n",
			map[string]string{"own": "app/kustomization.yaml:1"}, false, false},
		{"JSON", `{"namespace": "ns", "resources": ["objects.yaml"]}`,
			map[string]string{"own": "app/kustomization.yaml:1"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"app/kustomization.yaml": tt.kustomization, "app/objects.yaml": keepContentObjects}
			snap := mustBuild(t, fileList(files), BuildOptions{})
			want, err := plainRender(files, "app")
			if err != nil {
				t.Fatal(err)
			}
			if snap.Len() != len(want) {
				t.Errorf("%d objects, want %d", snap.Len(), len(want))
			}
			for _, w := range want {
				meta := w["metadata"].(map[string]any)
				k := Key{Kind: w["kind"].(string), Namespace: meta["namespace"].(string), Name: meta["name"].(string)}
				o := lookup(t, snap, k)
				if diff := cmp.Diff(w, o.Object); diff != "" {
					t.Errorf("%s (-kustomize +snapshot):\n%s", k, diff)
				}
				annotations, _ := o.Object["metadata"].(map[string]any)["annotations"].(map[string]any)
				if _, ok := annotations["config.kubernetes.io/origin"]; ok != tt.annotated {
					t.Errorf("%s: origin annotation kept = %v, want %v", k, ok, tt.annotated)
				}
				if _, ok := annotations["alpha.config.kubernetes.io/transformations"]; ok != tt.transformed {
					t.Errorf("%s: transformer annotation kept = %v, want %v", k, ok, tt.transformed)
				}
				name := k.Name
				if strings.HasPrefix(name, "gen-") {
					name = "gen" // and its hash
				}
				if src, ok := tt.want[name]; ok && o.Source() != src {
					t.Errorf("%s at %s, want %s", k, o.Source(), src)
				}
			}
		})
	}
}

func fileList(files map[string]string) []File {
	var out []File
	for p, c := range files {
		out = append(out, File{Path: p, Data: []byte(c)})
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// plainRender renders dir with kustomize alone, as gitgate did before it asked
// for origins.
func plainRender(files map[string]string, dir string) ([]map[string]any, error) {
	fs := filesys.MakeFsInMemory()
	for p, c := range files {
		if err := fs.WriteFile("/"+p, []byte(c)); err != nil {
			return nil, err
		}
	}
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	if err := kustomizeSem.Acquire(context.Background(), kustomizeAlone); err != nil { // the fuzzer may set openapi
		return nil, err
	}
	m, err := krusty.MakeKustomizer(opts).Run(fs, "/"+dir)
	openapi.ResetOpenAPI()
	kustomizeSem.Release(kustomizeAlone)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, r := range m.Resources() {
		data, err := r.MarshalJSON()
		if err != nil {
			return nil, err
		}
		var obj map[string]any
		if err := utiljson.Unmarshal(data, &obj); err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

// FuzzKustomizeOrigins checks that asking kustomize for origins changes no
// object's annotations, and that finding the origins never fails a build.
func FuzzKustomizeOrigins(f *testing.F) {
	f.Add([]byte("namespace: ns\nnamePrefix: p-\nresources: [objects.yaml]\ncommonAnnotations: {a: b}\n"), []byte(keepContentObjects))
	f.Add([]byte("resources: [objects.yaml]\nbuildMetadata: [originAnnotations]\n"), []byte(keepContentObjects))
	f.Add([]byte("resources: [objects.yaml]\nconfigMapGenerator: [{name: g, literals: [k=v]}]\n"), []byte("kind: List\napiVersion: v1\nitems: []\n"))
	f.Add([]byte("resources: [objects.yaml]\npatches: [{target: {kind: ConfigMap}, patch: '- {op: add, path: /data/k, value: x}'}]\n"+
		"images: [{name: nginx, newTag: '2'}]\n"), []byte(keepContentObjects))
	f.Fuzz(func(t *testing.T, kustomization, objects []byte) {
		files := map[string]string{"app/kustomization.yaml": string(kustomization), "app/objects.yaml": string(objects)}
		snap, err := Build("c", fileList(files), BuildOptions{})
		if err != nil {
			return
		}
		var got []string
		for _, o := range snap.Objects() {
			got = append(got, annotationsOf(o.Kind, o.Object))
			for _, p := range []string{"metadata.name", "metadata.annotations.a", "data.k", "items[name=x].y"} {
				if l := o.LineOf(p); l < 1 {
					t.Errorf("%s: LineOf(%q) = %d", o.Key, p, l)
				}
				if file, l := o.SourceOf(p); file == "" || l < 1 {
					t.Errorf("%s: SourceOf(%q) = %s:%d", o.Key, p, file, l)
				}
			}
		}
		plain, err := plainRender(files, "app")
		if err != nil {
			t.Fatalf("kustomize alone fails: %v", err)
		}
		var want []string
		for _, w := range plain {
			kind, _ := w["kind"].(string)
			want = append(want, annotationsOf(kind, w))
		}
		slices.Sort(got)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("annotations (-kustomize +snapshot):\n%s", diff)
		}
	})
}

// annotationsOf renders an object's kind, name and annotations for comparison.
func annotationsOf(kind string, obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	return fmt.Sprintf("%s %v %#v", kind, meta["name"], meta["annotations"])
}

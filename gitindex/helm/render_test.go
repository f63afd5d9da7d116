package helm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"
)

// dirFiles reads a folder of testdata as a commit's files.
type dirFiles string

func (d dirFiles) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), filepath.FromSlash(name)))
}

func (d dirFiles) Under(dir string) []string {
	var out []string
	_ = filepath.WalkDir(filepath.Join(string(d), dir), func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(string(d), p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// clusterValues is a fake cluster holding ConfigMaps and Secrets by kind/namespace/name.
type clusterValues map[string]map[string][]byte

func (c clusterValues) ReadValues(_ context.Context, kind, namespace, name string) (map[string][]byte, error) {
	data, ok := c[kind+"/"+namespace+"/"+name]
	if !ok {
		return nil, fmt.Errorf("%s %s/%s: %w", kind, namespace, name, ErrNotFound)
	}
	return data, nil
}

func readRelease(t *testing.T, edit func(map[string]any)) (Source, map[string]any) {
	t.Helper()
	data, err := os.ReadFile("testdata/release.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := yaml.Unmarshal(data, &obj); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(obj)
	}
	return Source{File: "k8s/release.yaml", Line: 1, Text: data}, obj
}

// summary is what a test compares of a rendered object.
type summary struct {
	Key, File string
	Line      int
	Fields    map[string]any
}

func summarize(objs []Object, fields ...string) []summary {
	var out []summary
	for _, o := range objs {
		meta := o.Object["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		s := summary{Key: fmt.Sprintf("%s %s/%s", o.Object["kind"], ns, meta["name"]), File: o.File, Line: o.Line, Fields: map[string]any{}}
		for _, f := range fields {
			if v := get(o.Object, strings.Split(f, ".")...); v != nil {
				s.Fields[f] = v
			}
		}
		out = append(out, s)
	}
	return out
}

func TestRender(t *testing.T) {
	cluster := clusterValues{"ConfigMap/apps/web-values": {"extra.yaml": []byte("color: red\n")}}
	tests := []struct {
		name    string
		edit    func(map[string]any)
		values  ValuesReader
		want    []summary
		wantErr string
	}{{
		name:   "values from the cluster and the HelmRelease over the chart's",
		values: cluster,
		want: []summary{
			{Key: "ConfigMap /shop-web-app-settings", File: "charts/app/templates/configmap.yaml", Line: 3,
				Fields: map[string]any{"data.color": "red", "data.found": "no"}},
			{Key: "Deployment /shop-web-app", File: "charts/app/templates/deployment.yaml", Line: 2,
				Fields: map[string]any{"spec.replicas": int64(3)}},
		},
	}, {
		name: "valuesFiles replace values.yaml; a release name; the optional Secret present",
		edit: func(o map[string]any) {
			spec := o["spec"].(map[string]any)
			spec["releaseName"] = "store"
			spec["chart"].(map[string]any)["spec"].(map[string]any)["valuesFiles"] = []any{"values-prod.yaml"}
			delete(spec, "values")
		},
		values: clusterValues{"ConfigMap/apps/web-values": {"extra.yaml": []byte("{}")}, "Secret/apps/web-secret": {"tag": []byte("1.29")}},
		want: []summary{
			{Key: "ConfigMap /store-app-settings", File: "charts/app/templates/configmap.yaml", Line: 3,
				Fields: map[string]any{"data.color": "green", "data.found": "no"}},
			{Key: "Deployment /store-app", File: "charts/app/templates/deployment.yaml", Line: 2,
				Fields: map[string]any{"spec.replicas": int64(2)}},
		},
	}, {
		name:    "a valuesFrom ConfigMap that is missing",
		values:  clusterValues{},
		wantErr: "spec.valuesFrom[0] ConfigMap apps/web-values: ConfigMap apps/web-values: not found",
	}, {
		name:    "no reader for valuesFrom",
		wantErr: "reading values from the cluster is not configured",
	}, {
		name:    "post-renderers",
		edit:    func(o map[string]any) { o["spec"].(map[string]any)["postRenderers"] = []any{map[string]any{}} },
		wantErr: "spec.postRenderers are not supported",
	}, {
		name: "a chart folder this commit lacks",
		edit: func(o map[string]any) {
			o["spec"].(map[string]any)["chart"].(map[string]any)["spec"].(map[string]any)["chart"] = "./charts/other"
		},
		wantErr: "charts/other/Chart.yaml: chart not in this repository",
	}, {
		name:    "a values error",
		values:  clusterValues{"ConfigMap/apps/web-values": {"extra.yaml": []byte("color: [")}},
		wantErr: "spec.valuesFrom[0] ConfigMap apps/web-values: key extra.yaml",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, obj := readRelease(t, tt.edit)
			res, err := Render(t.Context(), Input{Files: dirFiles("testdata"), Source: src, Object: obj, DefaultNamespace: "default"}, Options{Values: tt.values})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summarize(res.Objects, "data.color", "data.found", "spec.replicas")); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			if res.Namespace != "shop" {
				t.Errorf("namespace %q, want shop", res.Namespace)
			}
		})
	}
}

func TestRenderMetadataAndCRDs(t *testing.T) {
	src, obj := readRelease(t, func(o map[string]any) {
		o["spec"].(map[string]any)["commonMetadata"] = map[string]any{"labels": map[string]any{"team": "shop"}}
	})
	res, err := Render(t.Context(), Input{Files: dirFiles("testdata"), Source: src, Object: obj, DefaultNamespace: "default"}, Options{Values: clusterValues{"ConfigMap/apps/web-values": {"extra.yaml": []byte("{}")}}})
	if err != nil {
		t.Fatal(err)
	}
	meta := res.Objects[1].Object["metadata"]
	want := map[string]any{
		"name": "shop-web-app",
		"labels": map[string]any{"app": "shop-web-app", "team": "shop", "app.kubernetes.io/managed-by": "Helm",
			"helm.toolkit.fluxcd.io/name": "web", "helm.toolkit.fluxcd.io/namespace": "apps"},
		"annotations": map[string]any{"meta.helm.sh/release-name": "shop-web", "meta.helm.sh/release-namespace": "shop"},
	}
	if diff := cmp.Diff(want, meta); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]summary{{Key: "CustomResourceDefinition /widgets.example.com", File: "charts/app/crds/widgets.yaml", Line: 1, Fields: map[string]any{}}}, summarize(res.CRDs)); diff != "" {
		t.Errorf("CRDs (-want +got):\n%s", diff)
	}
	o := res.Objects[1].Object
	delete(o["spec"].(map[string]any), "selector")
	skip := func(r map[string]any) { r["spec"].(map[string]any)["install"] = map[string]any{"crds": "Skip"} }
	src, obj = readRelease(t, skip)
	if res, err = Render(t.Context(), Input{Files: dirFiles("testdata"), Source: src, Object: obj, DefaultNamespace: "default"}, Options{Values: clusterValues{"ConfigMap/apps/web-values": {"extra.yaml": []byte("{}")}}}); err != nil {
		t.Fatal(err)
	}
	if len(res.CRDs) != 0 {
		t.Errorf("install.crds Skip and upgrade.crds Skip still render %d CRDs", len(res.CRDs))
	}
}

func TestNotInRepository(t *testing.T) {
	tests := []struct {
		name string
		edit func(spec map[string]any)
	}{
		{name: "a HelmRepository the commit does not declare", edit: func(spec map[string]any) {
			spec["chart"].(map[string]any)["spec"].(map[string]any)["sourceRef"] = map[string]any{"kind": "HelmRepository", "name": "podinfo"}
		}},
		{name: "an OCIRepository by chartRef", edit: func(spec map[string]any) {
			delete(spec, "chart")
			spec["chartRef"] = map[string]any{"kind": "OCIRepository", "name": "podinfo"}
		}},
		{name: "a Bucket", edit: func(spec map[string]any) {
			spec["chart"].(map[string]any)["spec"].(map[string]any)["sourceRef"] = map[string]any{"kind": "Bucket", "name": "charts"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, obj := readRelease(t, func(o map[string]any) { tt.edit(o["spec"].(map[string]any)) })
			_, err := Render(t.Context(), Input{Files: dirFiles("testdata"), Source: src, Object: obj, DefaultNamespace: "default"}, Options{})
			if !errors.Is(err, ErrNotInRepository) {
				t.Errorf("error %v, want ErrNotInRepository", err)
			}
		})
	}
}

func TestClusterValues(t *testing.T) {
	scheme := runtime.NewScheme()
	_ = corev1.AddToScheme(scheme)
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "v"}, Data: map[string]string{"values.yaml": "a: 1"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "s"}, Data: map[string][]byte{"tag": []byte("1.2")}},
	).Build()
	tests := []struct {
		name, kind, obj string
		want            map[string][]byte
		wantNotFound    bool
	}{
		{name: "a ConfigMap", kind: "ConfigMap", obj: "v", want: map[string][]byte{"values.yaml": []byte("a: 1")}},
		{name: "a Secret", kind: "Secret", obj: "s", want: map[string][]byte{"tag": []byte("1.2")}},
		{name: "a missing one", kind: "Secret", obj: "nope", wantNotFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ClusterValues{Reader: c}.ReadValues(t.Context(), tt.kind, "apps", tt.obj)
			if errors.Is(err, ErrNotFound) != tt.wantNotFound || (err != nil && !tt.wantNotFound) {
				t.Fatalf("error %v, want not found: %v", err, tt.wantNotFound)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

package manifests

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

const chartDir = "chart/gitgate"

// objects is a rendered install keyed by kind/namespace/name.
type objects map[string]map[string]any

func keyOf(u *unstructured.Unstructured) string {
	return u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

// renderChart renders the chart as `helm template NAME chart/gitgate -n NS
// --set-json ...` does: client-only, checked against values.schema.json.
func renderChart(t *testing.T, release, namespace string, values map[string]any) (objects, error) {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	install := action.NewInstall(&action.Configuration{Log: t.Logf})
	install.DryRun, install.ClientOnly, install.Replace = true, true, true
	install.ReleaseName, install.Namespace = release, namespace
	rel, err := install.RunWithContext(t.Context(), chrt, values)
	if err != nil {
		return nil, fmt.Errorf("render chart: %w", err)
	}
	return parse(t, rel.Manifest), nil
}

// renderKustomize renders a kustomization as `kubectl kustomize DIR` does.
func renderKustomize(t *testing.T, dir string) objects {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize %s: %v", dir, err)
	}
	out, err := m.AsYaml()
	if err != nil {
		t.Fatalf("kustomize %s: %v", dir, err)
	}
	return parse(t, string(out))
}

// readObjects parses plain YAML files.
func readObjects(t *testing.T, files ...string) objects {
	t.Helper()
	var docs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	return parse(t, strings.Join(docs, "\n---\n"))
}

func parse(t *testing.T, manifest string) objects {
	t.Helper()
	out := objects{}
	for doc := range strings.SplitSeq(manifest, "\n---") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("parse %q: %v", firstLines(doc), err)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if _, dup := out[keyOf(u)]; dup {
			t.Fatalf("%s rendered twice", keyOf(u))
		}
		out[keyOf(u)] = m
	}
	return out
}

func firstLines(s string) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", 4)
	return strings.Join(lines[:min(len(lines), 3)], " | ")
}

// dump is the objects as one JSON text per line, each led by its key, for
// substring checks.
func dump(t *testing.T, objs objects) string {
	t.Helper()
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(objs)) {
		j, err := json.Marshal(objs[k])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s\n", k, j)
	}
	return b.String()
}

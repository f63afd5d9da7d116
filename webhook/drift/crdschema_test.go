package drift

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.gitgate.dev
spec:
  group: example.gitgate.dev
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              parts:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    count: {type: integer}
`

func TestCRDSchemasKeyLists(t *testing.T) {
	var crd map[string]any
	if err := yaml.Unmarshal([]byte(widgetCRD), &crd); err != nil {
		t.Fatal(err)
	}
	s := NewCRDSchemas([]map[string]any{crd})
	gvk := schema.GroupVersionKind{Group: "example.gitgate.dev", Version: "v1", Kind: "Widget"}
	if !s.Type(gvk).Known() {
		t.Fatalf("no schema for %s", gvk)
	}
	parts := func(names ...string) map[string]any {
		var items []any
		for _, n := range names {
			items = append(items, map[string]any{"name": n, "count": int64(4)})
		}
		return map[string]any{"spec": map[string]any{"parts": items}}
	}
	if got := New(s).Against(parts("nut", "bolt"), New(s).Desire(gvk, parts("bolt", "nut"))); len(got) != 0 {
		t.Errorf("reordered map-list items drift: %v", got)
	}
	var paths []string
	for _, c := range New(s).Against(parts("nut"), New(s).Desire(gvk, parts("bolt", "nut"))) {
		paths = append(paths, c.Path)
	}
	want := []string{"spec.parts[name=bolt].count", "spec.parts[name=bolt].name"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("a missing item, keyed by name (-want +got):\n%s", diff)
	}
}

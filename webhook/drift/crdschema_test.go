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

// TestCRDSchemas has one row per rule of reading schemas from CRDs as git
// declares them: which versions get a schema, and what the schema changes in
// the comparison.
func TestCRDSchemas(t *testing.T) {
	v1 := schema.GroupVersionKind{Group: "example.gitgate.dev", Version: "v1", Kind: "Widget"}
	v2 := v1.GroupVersion().WithKind("Widget")
	v2.Version = "v2"
	withV2 := widgetCRD + `  - name: v2
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, default: 3}
`
	noSchemaV2 := widgetCRD + "  - {name: v2, served: true, storage: false}\n"
	tests := []struct {
		name      string
		crd       string
		gvk       schema.GroupVersionKind
		wantKnown bool
		git, live string // compared when set
		want      []string
	}{
		{name: "a served version's schema", crd: widgetCRD, gvk: v1, wantKnown: true},
		{name: "a kind the CRDs do not define", crd: widgetCRD, gvk: schema.GroupVersionKind{Group: "example.gitgate.dev", Version: "v1", Kind: "Gadget"}},
		{name: "each version its own schema", crd: withV2, gvk: v2, wantKnown: true,
			git: "spec: {}\n", live: "spec: {size: 3}\n"},
		{name: "a version without a schema stays structural", crd: noSchemaV2, gvk: v2,
			git: "spec: {parts: [{name: a}, {name: b}]}\n", live: "spec: {parts: [{name: b}, {name: a}]}\n", want: []string{"spec.parts"}},
		{name: "a CRD without a kind gives no schema", crd: edit(widgetCRD, "names: {kind: Widget, plural: widgets}", "names: {plural: widgets}"), gvk: v1},
		{name: "the schema's default is desired", crd: withV2, gvk: v2, wantKnown: true, git: "spec: {}\n", live: "spec: {size: 4}\n", want: []string{"spec.size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewCRDSchemas([]map[string]any{obj(t, tt.crd)})
			if got := s.Type(tt.gvk).Known(); got != tt.wantKnown {
				t.Errorf("Type(%s).Known() = %v, want %v", tt.gvk, got, tt.wantKnown)
			}
			if tt.git == "" {
				return
			}
			c := New(s)
			var got []string
			for _, ch := range c.Against(obj(t, tt.live), c.Desire(tt.gvk, obj(t, tt.git))) {
				got = append(got, ch.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Against paths (-want +got):\n%s", diff)
			}
		})
	}
}

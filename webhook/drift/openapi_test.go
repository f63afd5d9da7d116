package drift

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kube-openapi/pkg/spec3"
)

// widgetOpenAPI is the OpenAPI v3 document an API server serves for
// example.com/v1 once the Widget CRD is installed (trimmed to what matters).
const widgetOpenAPI = `{"openapi": "3.0.0", "components": {"schemas": {"com.example.v1.Widget": {
  "type": "object",
  "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Widget"}],
  "properties": {
    "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
    "spec": {"type": "object", "properties": {
      "size": {"type": "integer", "default": 3},
      "parts": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
        "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "count": {"type": "integer"}}}}}}}}}}}`

// fakeRoot is an openapi3.Root serving documents from memory and counting
// what was asked: no API server.
type fakeRoot struct {
	docs  map[schema.GroupVersion]string // GroupVersion → OpenAPI v3 JSON
	fail  map[schema.GroupVersion]bool   // answer with an error
	asked []schema.GroupVersion
}

func (f *fakeRoot) GroupVersions() ([]schema.GroupVersion, error) {
	return nil, errors.New("fakeRoot: listing every GroupVersion is not lazy")
}

func (f *fakeRoot) GVSpec(gv schema.GroupVersion) (*spec3.OpenAPI, error) {
	f.asked = append(f.asked, gv)
	doc, ok := f.docs[gv]
	if !ok || f.fail[gv] {
		return nil, errors.New("not found")
	}
	var out spec3.OpenAPI
	if err := json.Unmarshal([]byte(doc), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (f *fakeRoot) GVSpecAsMap(schema.GroupVersion) (map[string]any, error) {
	return nil, errors.New("fakeRoot: not used")
}

var widgetGV = schema.GroupVersion{Group: "example.com", Version: "v1"}

// TestOpenAPISchemas has one row per step of the lazy loader: nothing is
// fetched on the request path, each GroupVersion once, failures are retried.
func TestOpenAPISchemas(t *testing.T) {
	widget := widgetGV.WithKind("Widget")
	gadgetGV := schema.GroupVersion{Group: "example.com", Version: "v2"}
	tests := []struct {
		name      string
		docs      map[schema.GroupVersion]string
		fail      map[schema.GroupVersion]bool
		prefetch  [][]schema.GroupVersionKind // one Resolve call each
		wantKnown bool
		wantAsked []schema.GroupVersion
	}{
		{name: "Type alone fetches nothing", docs: map[schema.GroupVersion]string{widgetGV: widgetOpenAPI}},
		{name: "Resolve loads the kind's GroupVersion", docs: map[schema.GroupVersion]string{widgetGV: widgetOpenAPI},
			prefetch: [][]schema.GroupVersionKind{{widget}}, wantKnown: true, wantAsked: []schema.GroupVersion{widgetGV}},
		{name: "a GroupVersion is fetched once", docs: map[schema.GroupVersion]string{widgetGV: widgetOpenAPI},
			prefetch: [][]schema.GroupVersionKind{{widget, widgetGV.WithKind("Other")}, {widget}}, wantKnown: true, wantAsked: []schema.GroupVersion{widgetGV}},
		{name: "a GroupVersion not served stays structural", fail: map[schema.GroupVersion]bool{widgetGV: true},
			prefetch: [][]schema.GroupVersionKind{{widget}}, wantAsked: []schema.GroupVersion{widgetGV}},
		{name: "a failed GroupVersion is asked again", docs: map[schema.GroupVersion]string{widgetGV: widgetOpenAPI}, fail: map[schema.GroupVersion]bool{widgetGV: true},
			prefetch: [][]schema.GroupVersionKind{{widget}, {widget}}, wantAsked: []schema.GroupVersion{widgetGV, widgetGV}},
		{name: "a document without components stays structural", docs: map[schema.GroupVersion]string{widgetGV: `{"openapi": "3.0.0"}`},
			prefetch: [][]schema.GroupVersionKind{{widget}}, wantAsked: []schema.GroupVersion{widgetGV}},
		{name: "only the GroupVersions asked for", docs: map[schema.GroupVersion]string{widgetGV: widgetOpenAPI, gadgetGV: widgetOpenAPI},
			prefetch: [][]schema.GroupVersionKind{{widget}}, wantKnown: true, wantAsked: []schema.GroupVersion{widgetGV}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := &fakeRoot{docs: tt.docs, fail: tt.fail}
			s := NewOpenAPISchemas(root)
			set := SchemaSet{}
			for _, kinds := range tt.prefetch {
				set = s.Resolve(kinds)
			}
			if got := set.Type(widget).Known(); got != tt.wantKnown {
				t.Errorf("Type(Widget).Known() = %v, want %v", got, tt.wantKnown)
			}
			if diff := cmp.Diff(tt.wantAsked, root.asked); diff != "" {
				t.Errorf("GroupVersions fetched (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOpenAPISchemasCompare: a custom resource compared with the fetched
// schema gets its list-map keys and its defaults.
func TestOpenAPISchemasCompare(t *testing.T) {
	widget := widgetGV.WithKind("Widget")
	const git = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: a}\nspec: {parts: [{name: nut, count: 1}, {name: bolt, count: 2}]}\n"
	reordered := edit(git, "[{name: nut, count: 1}, {name: bolt, count: 2}]", "[{name: bolt, count: 2}, {name: nut, count: 1}]", "parts:", "size: 3, parts:")
	tests := []struct {
		name     string
		prefetch bool
		live     string
		want     []string
	}{
		{name: "without the schema: lists compared whole, no defaults", live: reordered, want: []string{"spec.parts", "spec.size"}},
		{name: "with the schema: items by key, the schema's default", prefetch: true, live: reordered},
		{name: "with the schema: a changed item's field", prefetch: true, live: edit(reordered, "count: 2", "count: 5"),
			want: []string{"spec.parts[name=bolt].count"}},
		{name: "with the schema: a default changed", prefetch: true, live: edit(reordered, "size: 3", "size: 4"), want: []string{"spec.size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := SchemaSet{}
			if tt.prefetch {
				set = NewOpenAPISchemas(&fakeRoot{docs: map[schema.GroupVersion]string{widgetGV: widgetOpenAPI}}).Resolve([]schema.GroupVersionKind{widget})
			}
			c := New(set)
			var got []string
			for _, ch := range c.Against(obj(t, tt.live), c.Desire(widget, obj(t, git))) {
				got = append(got, ch.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Against paths (-want +got):\n%s", diff)
			}
		})
	}
}

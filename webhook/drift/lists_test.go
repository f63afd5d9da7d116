package drift

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// podShapeGVK is a kind with the Pod's schema and none of its defaults, so a
// row shows one list rule and not the defaults.
var podShapeGVK = schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "PodShape"}

// schemaAs resolves each kind in it to another kind's schema.
type schemaAs map[schema.GroupVersionKind]schema.GroupVersionKind

func (s schemaAs) Type(gvk schema.GroupVersionKind) Type {
	if to, ok := s[gvk]; ok {
		gvk = to
	}
	return NewBuiltinSchemas().Type(gvk)
}

const (
	listPod = `apiVersion: example.com/v1
kind: PodShape
metadata: {name: p, namespace: a, finalizers: [a/x, b/y]}
spec:
  containers:
  - name: app
    image: app:1
    args: [--a, --b]
    ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]
    env: [{name: A, value: "1"}, {name: B, value: "2"}]
  - {name: log, image: log:1}
  tolerations: [{key: k, operator: Exists}]
`
	livePod = `apiVersion: example.com/v1
kind: PodShape
metadata: {name: p, namespace: a, finalizers: [a/x, b/y]}
spec:
  containers:
  - name: app
    image: app:1
    args: [--a, --b]
    ports: [{containerPort: 80, protocol: TCP}, {containerPort: 53, protocol: UDP}]
    env: [{name: A, value: "1"}, {name: B, value: "2"}]
  - {name: log, image: log:1}
  tolerations: [{key: k, operator: Exists}]
`
)

// TestListRules has one row per kind of list: associative lists match items by
// their merge keys (with the schema's default for a key left out), sets compare
// as sets, atomic lists item by item in order. want lists the paths Against
// reports for the live object against git's.
func TestListRules(t *testing.T) {
	c := New(schemaAs{podShapeGVK: podGVK})
	tests := []struct {
		name string
		gvk  schema.GroupVersionKind
		git  string
		live string
		want []string
	}{
		{name: "containers reordered: keyed by name", gvk: podShapeGVK, git: listPod,
			live: edit(livePod, "  - {name: log, image: log:1}\n", "", "  containers:\n", "  containers:\n  - {name: log, image: log:1}\n")},
		{name: "env reordered: keyed by name", gvk: podShapeGVK, git: listPod,
			live: edit(livePod, `env: [{name: A, value: "1"}, {name: B, value: "2"}]`, `env: [{name: B, value: "2"}, {name: A, value: "1"}]`)},
		{name: "env value changed: the item's field", gvk: podShapeGVK, git: listPod,
			live: edit(livePod, `{name: B, value: "2"}`, `{name: B, value: "3"}`), want: []string{"spec.containers[name=app].env[name=B].value"}},
		{name: "ports keyed by containerPort and protocol, TCP by default", gvk: podShapeGVK, git: listPod, live: livePod},
		{name: "a port's protocol changed is another item", gvk: podShapeGVK, git: listPod,
			live: edit(livePod, "{containerPort: 53, protocol: UDP}", "{containerPort: 53, protocol: TCP}"),
			want: []string{"spec.containers[name=app].ports[containerPort=53,protocol=TCP]",
				"spec.containers[name=app].ports[containerPort=53,protocol=UDP].containerPort",
				"spec.containers[name=app].ports[containerPort=53,protocol=UDP].protocol"}},
		{name: "a declared container missing: each of its declared fields", gvk: podShapeGVK, git: listPod,
			live: edit(livePod, "  - {name: log, image: log:1}\n", ""),
			want: []string{"spec.containers[name=log].image", "spec.containers[name=log].name"}},
		{name: "atomic list: args order matters", gvk: podShapeGVK, git: listPod,
			live: edit(livePod, "args: [--a, --b]", "args: [--b, --a]"), want: []string{"spec.containers[name=app].args"}},
		{name: "set list: finalizers in any order", gvk: podShapeGVK, git: listPod, live: edit(livePod, "finalizers: [a/x, b/y]", "finalizers: [b/y, a/x]")},
		{name: "set list: one finalizer more", gvk: podShapeGVK, git: listPod,
			live: edit(livePod, "finalizers: [a/x, b/y]", "finalizers: [a/x, b/y, c/z]"), want: []string{"metadata.finalizers"}},
		{name: "atomic list without keys: tolerations compared whole", gvk: podShapeGVK, git: listPod,
			live: edit(livePod, "tolerations: [{key: k, operator: Exists}]", "tolerations: [{key: k, operator: Exists}, {key: j, operator: Exists}]"),
			want: []string{"spec.tolerations"}},
		{name: "no schema: a list is compared whole", gvk: crGVK,
			git:  "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {parts: [{name: a}, {name: b}]}\n",
			live: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {parts: [{name: b}, {name: a}]}\n", want: []string{"spec.parts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Desire(tt.gvk, obj(t, tt.git))
			var got []string
			for _, ch := range c.Against(obj(t, tt.live), d) {
				got = append(got, ch.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Against paths (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFirstDifference names where two values compared whole first differ.
func TestFirstDifference(t *testing.T) {
	rule := func(port any) map[string]any {
		return map[string]any{"http": map[string]any{"paths": []any{map[string]any{"port": port}}}}
	}
	tests := []struct {
		name             string
		git, new         any
		wantSub          string
		wantGit, wantNew any
	}{
		{name: "scalars differ as a whole", git: int64(1), new: int64(2), wantGit: int64(1), wantNew: int64(2)},
		{name: "nested in lists and maps", git: []any{rule(int64(80))}, new: []any{rule(int64(8080))},
			wantSub: "[0].http.paths[0].port", wantGit: int64(80), wantNew: int64(8080)},
		{name: "an item only git has", git: []any{"a", "b"}, new: []any{"a"}, wantSub: "[1]", wantGit: "b"},
		{name: "an item only the request has", git: []any{"a"}, new: []any{"a", "c"}, wantSub: "[1]", wantNew: "c"},
		{name: "items named alike are named", git: []any{map[string]any{"name": "v1", "served": true}}, new: []any{map[string]any{"name": "v1", "served": false}},
			wantSub: "[name=v1].served", wantGit: true, wantNew: false},
		{name: "a map key that is no identifier", git: map[string]any{"a.b/c": "x"}, new: map[string]any{"a.b/c": "y"},
			wantSub: `["a.b/c"]`, wantGit: "x", wantNew: "y"},
		{name: "equal values", git: []any{"a"}, new: []any{"a"}, wantGit: []any{"a"}, wantNew: []any{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, g, n := FirstDifference(tt.git, tt.new)
			if diff := cmp.Diff([]any{tt.wantSub, tt.wantGit, tt.wantNew}, []any{sub, g, n}); diff != "" {
				t.Errorf("FirstDifference (-want +got):\n%s", diff)
			}
		})
	}
}

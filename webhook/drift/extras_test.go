package drift

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestAgainstExtras has one row per kind of extra (what the live object has
// beyond its desired state): where Against reports it, whether it is declared,
// and the JSON pointer the applier removes to heal it.
func TestAgainstExtras(t *testing.T) {
	c := New(NewBuiltinSchemas())
	d := c.Desire(deployGVK, obj(t, gitDeploy))
	tests := []struct {
		name     string
		patch    func(m map[string]any)
		entitled []string
		want     []Change
	}{
		{name: "an undeclared field", patch: func(m map[string]any) { tmplSpec(m)["hostNetwork"] = true },
			want: []Change{{Path: "spec.template.spec.hostNetwork", New: true, Pointer: "/spec/template/spec/hostNetwork"}}},
		{name: "an annotation key with a slash is escaped in the pointer", patch: func(m map[string]any) {
			meta(m)["annotations"] = map[string]any{"example.com/owner": "bob"}
		}, want: []Change{{Path: `metadata.annotations["example.com/owner"]`, New: "bob", Pointer: "/metadata/annotations/example.com~1owner"}}},
		{name: "an annotation key with a tilde is escaped in the pointer", patch: func(m map[string]any) {
			meta(m)["annotations"] = map[string]any{"a~b": "x"}
		}, want: []Change{{Path: `metadata.annotations["a~b"]`, New: "x", Pointer: "/metadata/annotations/a~0b"}}},
		{name: "an empty label is an extra (map entries: absent is not \"\")", patch: func(m map[string]any) {
			meta(m)["labels"].(map[string]any)["tier"] = ""
		}, want: []Change{{Path: "metadata.labels.tier", New: "", Pointer: "/metadata/labels/tier"}}},
		{name: "an extra list item points at its index", patch: func(m map[string]any) {
			tmplSpec(m)["containers"] = append([]any{map[string]any{"name": "sidecar", "image": "evil"}}, tmplSpec(m)["containers"].([]any)...)
		}, want: []Change{{Path: "spec.template.spec.containers[name=sidecar]", New: map[string]any{"name": "sidecar", "image": "evil"},
			Pointer: "/spec/template/spec/containers/0"}}},
		{name: "a zero-valued extra equals absent", patch: func(m map[string]any) { tmplSpec(m)["hostNetwork"] = false }},
		{name: "a changed server default is not declared and has a pointer", patch: func(m map[string]any) { spec(m)["revisionHistoryLimit"] = int64(2) },
			want: []Change{{Path: "spec.revisionHistoryLimit", Git: int64(10), New: int64(2), Pointer: "/spec/revisionHistoryLimit"}}},
		{name: "a declared value missing has no pointer", patch: func(m map[string]any) { delete(spec(m), "replicas") },
			want: []Change{{Path: "spec.replicas", Declared: true, Git: int64(3)}}},
		{name: "an extra only an entitled manager set is its work", entitled: []string{"kubectl-edit"}, patch: func(m map[string]any) {
			tmplSpec(m)["hostNetwork"] = true
			own(m, "kubectl-edit", `{"f:spec": {"f:template": {"f:spec": {"f:hostNetwork": {}}}}}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := obj(t, liveDeploy)
			delete(meta(live), "managedFields")
			delete(meta(live), "annotations")
			if tt.entitled != nil {
				own(live, "gitgate", `{"f:spec": {"f:replicas": {}}}`) // the object says who set what
			}
			if tt.patch != nil {
				tt.patch(live)
			}
			got := c.Against(live, d, tt.entitled...)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Against (-want +got):\n%s", diff)
			}
		})
	}
}

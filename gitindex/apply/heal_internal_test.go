package apply

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/gitindex/vocab"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

func TestRemovable(t *testing.T) {
	tests := []struct {
		name    string
		changes []drift.Change
		want    []string
	}{
		{name: "declared values are applied, not removed", changes: []drift.Change{{Path: "spec.replicas", Declared: true, Git: int64(3), New: int64(5)}}},
		{name: "later list items first, by number", changes: []drift.Change{
			{Path: "a", Pointer: "/spec/template/spec/containers/0/env/2"},
			{Path: "b", Pointer: "/spec/template/spec/containers/0/env/10"},
			{Path: "c", Pointer: "/spec/template/spec/hostNetwork"},
			{Path: "d", Pointer: "/spec/template/spec/containers/1"},
		}, want: []string{
			"/spec/template/spec/hostNetwork",
			"/spec/template/spec/containers/1",
			"/spec/template/spec/containers/0/env/10",
			"/spec/template/spec/containers/0/env/2",
		}},
		{name: "the management label stays", changes: []drift.Change{{Path: "x", Pointer: "/metadata/labels/gitgate.dev~1managed"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, removable(tt.changes)); diff != "" {
				t.Errorf("removable (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWithManagedLabel(t *testing.T) {
	git := map[string]any{"metadata": map[string]any{"name": "x", "labels": map[string]any{"app": "x"}}}
	d := withManagedLabel(&drift.Desired{Git: git, Object: git})
	want := map[string]any{"metadata": map[string]any{"name": "x", "labels": map[string]any{"app": "x", vocab.ManagedLabel: vocab.ManagedValue}}}
	if diff := cmp.Diff(want, d.Object); diff != "" {
		t.Errorf("Object (-want +got):\n%s", diff)
	}
	if _, shared := git["metadata"].(map[string]any)["labels"].(map[string]any)[vocab.ManagedLabel]; shared {
		t.Error("withManagedLabel modified git's object")
	}
}

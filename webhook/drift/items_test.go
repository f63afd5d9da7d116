package drift_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/policy/wire"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

func TestItems(t *testing.T) {
	for _, tc := range []struct {
		name    string
		changes []drift.Change
		want    []wire.DriftItem
	}{
		{name: "none", changes: nil, want: nil},
		{name: "empty", changes: []drift.Change{}, want: nil},
		{
			name: "the engine's bookkeeping is left out",
			changes: []drift.Change{
				{Path: "spec.replicas", Declared: true, Git: int64(3), Old: int64(3), New: int64(5), Repair: false},
				{Path: "metadata.labels.x", New: "y", Repair: true, Pointer: "/metadata/labels/x"},
			},
			want: []wire.DriftItem{
				{Path: "spec.replicas", Declared: true, Git: int64(3), Old: int64(3), New: int64(5)},
				{Path: "metadata.labels.x", New: "y"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, drift.Items(tc.changes)); diff != "" {
				t.Errorf("Items (-want +got):\n%s", diff)
			}
		})
	}
}

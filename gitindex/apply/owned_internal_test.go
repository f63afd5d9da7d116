package apply

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitgate-dev/gitgate/gitindex"
)

func TestLeaveOwned(t *testing.T) {
	hpa := gitindex.Ownership{Paths: []string{"spec.replicas"}, Bounded: true, Min: 2, Max: 5}
	ca := gitindex.Ownership{Paths: []string{"webhooks[*].clientConfig.caBundle"}}
	deployment := func(replicas any) map[string]any {
		return map[string]any{"metadata": map[string]any{"name": "web"}, "spec": map[string]any{"replicas": replicas}}
	}
	live := func(replicas int64, appliedByUs bool) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: deployment(replicas)}
		u.SetResourceVersion("7")
		manager := "kube-controller-manager"
		if appliedByUs {
			manager = "gitgate"
		}
		u.Object["metadata"].(map[string]any)["managedFields"] = []any{map[string]any{"manager": manager, "operation": "Apply",
			"fieldsV1": map[string]any{"f:spec": map[string]any{"f:replicas": map[string]any{}}}}}
		return u
	}
	hooks := func(bundle ...string) map[string]any {
		var ws []any
		for i, b := range bundle {
			cc := map[string]any{"service": map[string]any{"name": "svc"}}
			if b != "" {
				cc["caBundle"] = b
			}
			ws = append(ws, map[string]any{"name": string(rune('a' + i)), "clientConfig": cc})
		}
		return map[string]any{"metadata": map[string]any{"name": "hooks"}, "webhooks": ws}
	}
	tests := []struct {
		name    string
		desired map[string]any
		live    *unstructured.Unstructured
		owners  []gitindex.Ownership
		want    map[string]any
		wantPin bool
	}{
		{name: "create: git's value within the range", desired: deployment(int64(3)), owners: []gitindex.Ownership{hpa}, want: deployment(int64(3))},
		{name: "create: git's value brought into the range", desired: deployment(int64(1)), owners: []gitindex.Ownership{hpa}, want: deployment(int64(2))},
		{name: "the owner moved it: left out of the apply", desired: deployment(int64(1)), live: live(4, false), owners: []gitindex.Ownership{hpa},
			want: map[string]any{"metadata": map[string]any{"name": "web"}, "spec": map[string]any{}}},
		{name: "still the applier's: the live value, pinned to the live resourceVersion", desired: deployment(int64(1)), live: live(2, true), owners: []gitindex.Ownership{hpa},
			want: map[string]any{"metadata": map[string]any{"name": "web", "resourceVersion": "7"}, "spec": map[string]any{"replicas": int64(2)}}, wantPin: true},
		{name: "outside the owner's range: git's value brought into it", desired: deployment(int64(1)), live: live(9, false), owners: []gitindex.Ownership{hpa}, want: deployment(int64(2))},
		{name: "unbounded and moved: left out", desired: deployment(int64(1)), live: live(0, false), owners: []gitindex.Ownership{{Paths: []string{"spec.replicas"}}},
			want: map[string]any{"metadata": map[string]any{"name": "web"}, "spec": map[string]any{}}},
		{name: "a caBundle in every webhook: left out, even on create", desired: hooks("Zm9v", "", "YmFy"), owners: []gitindex.Ownership{ca}, want: hooks("", "", "")},
		{name: "no owners: git's object as it is", desired: deployment(int64(1)), live: live(4, false), want: deployment(int64(1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desired := &unstructured.Unstructured{Object: tt.desired}
			pin := leaveOwned(desired, tt.live, tt.owners, "gitgate")
			if diff := cmp.Diff(tt.want, desired.Object); diff != "" {
				t.Errorf("desired (-want +got):\n%s", diff)
			}
			if pin != tt.wantPin {
				t.Errorf("pinned = %v, want %v", pin, tt.wantPin)
			}
		})
	}
}

package scan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

const autoscaled = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {replicas: 1, paused: false}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 4}
`

// Replicas the HPA in git set within its range are not drift; outside it they are.
func TestAutoscaledReplicasAreNotDrift(t *testing.T) {
	snap, err := gitindex.Build("c0ffee", []gitindex.File{{Path: "k8s/web.yaml", Data: []byte(autoscaled)}}, gitindex.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o, _ := snap.Lookup(gitindex.Key{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "web"})
	gvk := schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	s := &Scanner{Comparer: drift.New(nil)}
	for _, tt := range []struct {
		name     string
		replicas int64
		want     []string
	}{
		{name: "within min..max", replicas: 3},
		{name: "above max", replicas: 5, want: []string{"spec.replicas"}},
		{name: "below min", replicas: 0, want: []string{"spec.replicas"}},
		{name: "git's own value", replicas: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The live object as the API server stores it: defaults filled in.
			stored := s.Comparer.Desire(gvk, map[string]any{
				"metadata": map[string]any{"name": "web", "namespace": "shop"},
				"spec":     map[string]any{"replicas": tt.replicas, "paused": false},
			})
			live := map[gitindex.Key]map[string]any{o.Key: stored.Object}
			f, _ := s.compare(snap, gvk, o, live)
			var got []string
			for _, c := range f.Changes {
				got = append(got, c.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("drifted paths (-want +got):\n%s", diff)
			}
		})
	}
}

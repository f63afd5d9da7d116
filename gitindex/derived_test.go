package gitindex

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const autoscaledRepo = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {replicas: 1}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 6
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web-narrow, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 10
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  maxReplicas: 4
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec: {replicas: 1}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: db, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}
  maxReplicas: 3
---
apiVersion: v1
kind: Namespace
metadata: {name: empty}
`

func TestDerived(t *testing.T) {
	snap, err := Build("c0ffee", []File{{Path: "k8s/all.yaml", Data: []byte(autoscaledRepo)}}, BuildOptions{Paths: []string{"k8s"}})
	if err != nil {
		t.Fatal(err)
	}
	key := func(kind, name string) Key { return Key{Group: "apps", Kind: kind, Namespace: "shop", Name: name} }
	tests := []struct {
		name   string
		target Key
		want   Autoscaling
		ok     bool
	}{
		{name: "two HPAs: the intersection of their ranges", target: key("Deployment", "web"), ok: true,
			want: Autoscaling{HPA: Key{Group: "autoscaling", Kind: "HorizontalPodAutoscaler", Namespace: "shop", Name: "web"}, Source: "k8s/all.yaml:6", Min: 3, Max: 6}},
		{name: "minReplicas defaults to 1", target: key("StatefulSet", "db"), ok: true,
			want: Autoscaling{HPA: Key{Group: "autoscaling", Kind: "HorizontalPodAutoscaler", Namespace: "shop", Name: "db"}, Source: "k8s/all.yaml:34", Min: 1, Max: 3}},
		{name: "a target git does not declare is nobody's", target: key("Deployment", "api")},
		{name: "not a target", target: key("Deployment", "other")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := snap.Autoscaled(tt.target)
			if ok != tt.ok {
				t.Fatalf("Autoscaled ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Autoscaled (-want +got):\n%s", diff)
			}
		})
	}
	if got := snap.Holds("shop"); got != 6 {
		t.Errorf("Holds(shop) = %d, want 6", got)
	}
	if got := snap.Holds("empty"); got != 0 {
		t.Errorf("Holds(empty) = %d, want 0 (a Namespace alone holds nothing)", got)
	}
	if o, ok := snap.InNamespace("shop"); !ok || o.Name != "web" || o.Kind != "Deployment" {
		t.Errorf("InNamespace(shop) = %v, want the first object, Deployment web", o)
	}
}

func TestAutoscalingAllows(t *testing.T) {
	a := Autoscaling{Min: 2, Max: 4}
	for r, want := range map[int64]bool{1: false, 2: true, 4: true, 5: false} {
		if got := a.Allows(r); got != want {
			t.Errorf("Allows(%d) = %v, want %v", r, got, want)
		}
	}
}

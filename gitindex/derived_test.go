package gitindex

import (
	"testing"
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

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The garbage collector removes the ReplicaSets of a Deployment the sync identity
// deleted, through gitgate (it is a cluster controller, allowed to delete).
func TestGarbageCollectionWorks(t *testing.T) {
	const file = "k8s/app/gc-demo.yaml"
	commitAndWait(t, map[string]string{file: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: gc-demo
  namespace: staging
spec:
  replicas: 1
  selector:
    matchLabels: {app: gc-demo}
  template:
    metadata:
      labels: {app: gc-demo}
    spec:
      containers:
      - name: app
        image: nginx:1.21
`}, "add gc-demo", false)
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", gitFile(file))
	eventually(t, 60*time.Second, func() string {
		if out, _ := kubectl(t, cp.Admin, "-n", "staging", "get", "rs", "-l", "app=gc-demo", "-o", "name"); !strings.Contains(out, "replicaset") {
			return "no ReplicaSet yet: " + out
		}
		return ""
	})
	commitAndWait(t, map[string]string{file: ""}, "remove gc-demo", false)
	mustKubectl(t, cp.Sync, "-n", "staging", "delete", "deployment/gc-demo", "--wait=false")
	eventually(t, 60*time.Second, func() string {
		if out, _ := kubectl(t, cp.Admin, "-n", "staging", "get", "rs,pods", "-l", "app=gc-demo", "-o", "name"); strings.TrimSpace(out) != "" {
			return "still there: " + out
		}
		return ""
	})
}

// A namespace git does not govern is torn down by the namespace controller, with
// gitgate enforcing.
func TestNamespaceTeardownWorks(t *testing.T) {
	ns := fmt.Sprintf("scratch-%d", time.Now().UnixNano())
	mustKubectl(t, cp.Admin, "create", "namespace", ns)
	mustKubectl(t, cp.Admin, "-n", ns, "create", "configmap", "a", "--from-literal=x=y")
	mustKubectl(t, cp.Admin, "-n", ns, "create", "deployment", "web", "--image=nginx:1.21")
	mustKubectl(t, cp.Admin, "delete", "namespace", ns, "--wait=false")
	eventually(t, 90*time.Second, func() string {
		if out, ok := kubectl(t, cp.Admin, "get", "namespace", ns); ok {
			return "namespace still there: " + out
		}
		return ""
	})
}

// The endpoints controllers copy a Service's labels onto its Endpoints and
// EndpointSlices — the applier's gitgate.dev/managed label included. That copy is
// admitted (cluster controllers, objects git does not declare); otherwise every
// Service gitgate applies would lose its endpoints.
func TestEndpointsOfAnAppliedService(t *testing.T) {
	mustKubectl(t, cp.Sync, "-n", "staging", "label", "service/nginx", "gitgate.dev/managed=true")
	t.Cleanup(func() { kubectl(t, cp.Sync, "-n", "staging", "label", "service/nginx", "gitgate.dev/managed-") })
	eventually(t, 60*time.Second, func() string {
		out, _ := kubectl(t, cp.Admin, "-n", "staging", "get", "endpointslices", "-l", "kubernetes.io/service-name=nginx",
			"-o", `jsonpath={range .items[*]}{.metadata.labels.gitgate\.dev/managed}{" "}{end}`)
		if !strings.Contains(out, "true") {
			return "the EndpointSlice of service/nginx did not get the label: " + out
		}
		return ""
	})
	for _, l := range auditLines(t) {
		if strings.Contains(l, `"kind":"EndpointSlice"`) && strings.Contains(l, `"decision":"denied"`) {
			t.Fatalf("an EndpointSlice write was denied: %s", l)
		}
	}
}

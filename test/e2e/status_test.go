package e2e

import (
	"strings"
	"testing"
)

const statusNS = "status-e2e"

// statusFixture declares one object of every kind with a status subresource that
// the fixture's kinds cover: built-in (Namespace, Deployment, Service, Pod) and a
// custom resource.
var statusFixture = []gitFileContent{
	{"k8s/crd.yaml", `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gauges.status.gitgate.dev}
spec:
  group: status.gitgate.dev
  scope: Namespaced
  names: {kind: Gauge, plural: gauges, singular: gauge}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`},
	{"k8s/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + statusNS + "}\n"},
	{"k8s/deployment.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ` + statusNS + `}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.21}]}
`},
	{"k8s/service.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: " + statusNS + "}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n"},
	{"k8s/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: solo, namespace: " + statusNS + "}\nspec: {containers: [{name: c, image: busybox:1.36}]}\n"},
	{"k8s/gauge.yaml", "apiVersion: status.gitgate.dev/v1\nkind: Gauge\nmetadata: {name: g1, namespace: " + statusNS + "}\nspec: {level: 3}\n"},
}

// A status write changes no declared field, but it can change metadata: every
// such write to every declared kind is denied and audited, unless the kind's
// status strategy drops the change itself; either way nothing persists.
func TestStatusSubresource(t *testing.T) {
	g := startOwnGate(t, "status", statusNS, statusFixture)
	objects := []string{"namespace/" + statusNS, "deployment/web", "service/web", "pod/solo", "gauge.status.gitgate.dev/g1"}
	changes := []struct {
		name, patch, want, jsonpath string
	}{
		{"annotation", `{"metadata":{"annotations":{"team":"red"}}}`, "metadata.annotations.team", "{.metadata.annotations.team}"},
		{"gitgate label", `{"metadata":{"labels":{"gitgate.dev/managed":"false"}}}`, `metadata.labels["gitgate.dev/managed"]`, "{.metadata.labels.gitgate\\.dev/managed}"},
		{"finalizer", `{"metadata":{"finalizers":["example.com/hold"]}}`, "metadata.finalizers", "{.metadata.finalizers}"},
		{"ownerReference", `{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"gone","uid":"00000000-0000-0000-0000-000000000001"}]}}`, "metadata.ownerReferences", "{.metadata.ownerReferences}"},
	}
	for _, obj := range objects {
		for _, c := range changes {
			t.Run(obj+" "+c.name, func(t *testing.T) {
				out, ok := kubectl(t, cp.Admin, "-n", statusNS, "patch", obj, "--subresource=status", "--type=merge", "-p", c.patch)
				// Some status strategies (custom resources', and a few fields of
				// Deployments and Pods) drop metadata changes before admission:
				// the write changes nothing and never reaches gitgate.
				if !ok || !strings.Contains(out, "(no change)") {
					denied(t, out, ok, c.want, "(subresource status)")
					g.auditedDenial(t, `"subResource":"status"`, `"name":"`+strings.SplitN(obj, "/", 2)[1]+`"`)
				}
				got := mustKubectl(t, cp.Admin, "-n", statusNS, "get", obj, "-o", "jsonpath="+c.jsonpath)
				if strings.Contains(got, "red") || strings.Contains(got, "false") || strings.Contains(got, "example.com/hold") || strings.Contains(got, "gone") {
					t.Errorf("%s persisted on %s: %s", c.name, obj, got)
				}
			})
		}
	}
	t.Run("Pod Security label of the declared Namespace", func(t *testing.T) {
		out, ok := kubectl(t, cp.Admin, "patch", "namespace/"+statusNS, "--subresource=status", "--type=merge",
			"-p", `{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"privileged"}}}`)
		denied(t, out, ok, `metadata.labels["pod-security.kubernetes.io/enforce"]`)
		got := mustKubectl(t, cp.Admin, "get", "namespace/"+statusNS, "-o", "jsonpath={.metadata.labels}")
		if strings.Contains(got, "pod-security") {
			t.Errorf("Pod Security label persisted: %s", got)
		}
	})
	t.Run("a status write that leaves metadata alone never reaches gitgate", func(t *testing.T) {
		const series = `gitgate_decisions_total{decision="allowed",kind="Gauge",mode="enforce",operation="UPDATE"}`
		before := metricLine(t, g.Gitgate, series)
		mustKubectl(t, cp.Admin, "-n", statusNS, "patch", "gauge.status.gitgate.dev/g1", "--subresource=status", "--type=merge", "-p", `{"status":{"ready":true}}`)
		if after := metricLine(t, g.Gitgate, series); after != before {
			t.Errorf("a status-only write reached gitgate: %q became %q", before, after)
		}
	})
}

package e2e

import (
	"slices"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const versionsNS = "versions-e2e"

// versionsFixture declares an HPA in autoscaling/v2 and a custom resource in v2
// of a CRD that serves v1 and v2.
var versionsFixture = []gitFileContent{
	{"k8s/crd.yaml", `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: dials.versions.gitgate.dev}
spec:
  group: versions.gitgate.dev
  scope: Namespaced
  names: {kind: Dial, plural: dials, singular: dial}
  versions:
  - {name: v1, served: true, storage: false, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
  - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`},
	{"k8s/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + versionsNS + "}\n"},
	{"k8s/hpa.yaml", `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: ` + versionsNS + `}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`},
	{"k8s/dial.yaml", "apiVersion: versions.gitgate.dev/v2\nkind: Dial\nmetadata: {name: d1, namespace: " + versionsNS + "}\nspec: {color: blue}\n"},
}

var (
	hpaV1Patch  = []string{"-n", versionsNS, "patch", "horizontalpodautoscalers.v1.autoscaling/web", "--type=merge", "-p", `{"spec":{"targetCPUUtilizationPercentage":90}}`}
	dialV1Patch = []string{"-n", versionsNS, "patch", "dials.v1.versions.gitgate.dev/d1", "--type=merge", "-p", `{"spec":{"color":"red"}}`}
	dialV2Patch = []string{"-n", versionsNS, "patch", "dials.v2.versions.gitgate.dev/d1", "--type=merge", "-p", `{"spec":{"color":"red"}}`}
)

// With the shipped wildcard rules the API server sends a request in the
// client's version: gitgate refuses it with an explanation rather than compare
// it against git's version of the kind field by field.
func TestOtherAPIVersion(t *testing.T) {
	startOwnGate(t, "versions-plain", versionsNS, versionsFixture)
	out, ok := kubectl(t, cp.Admin, hpaV1Patch...)
	denied(t, out, ok, `git declares HorizontalPodAutoscaler in "autoscaling/v2"; this request came as "autoscaling/v1"`, "Write it as autoscaling/v2")
	out, ok = kubectl(t, cp.Admin, dialV1Patch...)
	denied(t, out, ok, `git declares Dial in "versions.gitgate.dev/v2"`)
	out, ok = kubectl(t, cp.Admin, dialV2Patch...)
	denied(t, out, ok, `spec.color: git has "blue", request has "red"`)
}

// With the guard, the rules name git's exact group/versions and the API server
// converts a request in another version into git's: an autoscaling/v1 patch is
// judged as git's v2 spec.metrics, and both versions of a custom resource get
// the same answer.
func TestCustomResourceInAnotherVersion(t *testing.T) {
	g := startOwnGate(t, "versions-guard", versionsNS, versionsFixture, "--guard-webhook-config", "--webhook-config=gitgate-versions-guard")
	eventually(t, 30*time.Second, func() string {
		live := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := cp.Client.Get(t.Context(), client.ObjectKey{Name: g.config}, live); err != nil {
			return err.Error()
		}
		for _, r := range live.Webhooks[0].Rules {
			if slices.Equal(r.APIGroups, []string{"autoscaling"}) && slices.Equal(r.APIVersions, []string{"v2"}) {
				return ""
			}
		}
		return "rules not narrowed to autoscaling/v2"
	})
	out, ok := kubectl(t, cp.Admin, hpaV1Patch...)
	denied(t, out, ok, "spec.metrics: differs at spec.metrics[0].resource.target.averageUtilization: git has 50, request has 90")
	g.auditedDenial(t, `"path":"spec.metrics"`, `"averageUtilization":90`)
	for _, args := range [][]string{dialV1Patch, dialV2Patch} {
		out, ok := kubectl(t, cp.Admin, args...)
		denied(t, out, ok, `UPDATE of Dial.versions.gitgate.dev versions-e2e/d1 denied`, `spec.color: git has "blue", request has "red"`)
	}
	if got := mustKubectl(t, cp.Admin, "-n", versionsNS, "get", "horizontalpodautoscalers.v2.autoscaling/web", "-o", "jsonpath={.spec.metrics[0].resource.target.averageUtilization}"); got != "50" {
		t.Errorf("averageUtilization = %s, want git's 50", got)
	}
}

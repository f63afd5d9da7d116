package e2e

import (
	"strings"
	"testing"
	"time"
)

const pluralNS = "plural-e2e"

// A custom resource whose CRD is not in git and whose plural is not the kind's
// guessed one (wdgts, not widgets): its scale is mapped through discovery and
// denied like a patch of the same field.
func TestIrregularPlural(t *testing.T) {
	crd := gitFileContent{"crd.yaml", `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: wdgts.plural.gitgate.dev}
spec:
  group: plural.gitgate.dev
  scope: Namespaced
  names: {kind: Widget, plural: wdgts, singular: wdgt}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`}
	applyAsSync(t, variantOf(t, crd), crd.content) // installed, not declared in git
	startOwnGate(t, "plural", pluralNS, []gitFileContent{
		{"k8s/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + pluralNS + "}\n"},
		{"k8s/widget.yaml", "apiVersion: plural.gitgate.dev/v1\nkind: Widget\nmetadata: {name: w1, namespace: " + pluralNS + "}\nspec: {replicas: 2}\n"},
	})
	const want = "spec.replicas: git has 2, request has 7"
	out, ok := kubectl(t, cp.Admin, "-n", pluralNS, "patch", "wdgts.plural.gitgate.dev/w1", "--type=merge", "-p", `{"spec":{"replicas":7}}`)
	denied(t, out, ok, want)
	// The first scale may find discovery not refreshed yet: denied too, with an
	// explanation, and the retry is judged like the patch.
	eventually(t, 15*time.Second, func() string {
		out, ok := kubectl(t, cp.Admin, "-n", pluralNS, "scale", "wdgts.plural.gitgate.dev/w1", "--replicas=7")
		switch {
		case ok:
			return "scale allowed: " + out
		case !strings.Contains(out, want):
			return "denied without the field: " + out
		}
		return ""
	})
	if got := mustKubectl(t, cp.Admin, "-n", pluralNS, "get", "wdgts.plural.gitgate.dev/w1", "-o", "jsonpath={.spec.replicas}"); got != "2" {
		t.Errorf("replicas = %s, want git's 2", got)
	}
}

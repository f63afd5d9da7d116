package e2e

import (
	"testing"
)

// kubectl debug adds an ephemeral container through pods/ephemeralcontainers; on a
// Pod git declares that is a change like any other.
func TestEphemeralContainersAreGated(t *testing.T) {
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "debug", "pod/toolbox", "--image=busybox:1.36", "--attach=false", "--container=dbg")
	denied(t, out, ok, "spec.ephemeralContainers", "(subresource ephemeralcontainers)")
}

// The webhook's namespaceSelector keys on kubernetes.io/metadata.name, which the API
// server sets from the namespace's name: relabelling cannot take a namespace out of
// gitgate's reach, and any other label on a namespace git declares is drift.
func TestNamespaceSelectorCannotBeEscaped(t *testing.T) {
	kubectl(t, cp.Admin, "label", "namespace", "staging", "--overwrite", "kubernetes.io/metadata.name=kube-system")
	out := mustKubectl(t, cp.Admin, "get", "namespace", "staging", "-o", `jsonpath={.metadata.labels.kubernetes\.io/metadata\.name}`)
	if out != "staging" {
		t.Fatalf("namespace relabelled to %q", out)
	}
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=9")
	denied(t, out, ok, "spec.replicas")
	out, ok = kubectl(t, cp.Admin, "label", "namespace", "staging", "gitgate-optout=true")
	denied(t, out, ok, "metadata.labels.gitgate-optout")
}

// An object git declares stays gated while it terminates: a finalizer holds it, and
// a deletionTimestamp is no licence to change it (finalizer games). Deleting it
// again is allowed — it is already going.
func TestTerminatingObjectIsStillGated(t *testing.T) {
	const rel = "k8s/app/held.yaml"
	commitAndWait(t, map[string]string{rel: `apiVersion: v1
kind: ConfigMap
metadata:
  name: held
  namespace: staging
  finalizers: [e2e.gitgate.dev/hold]
data:
  mode: git
`}, "a held configmap", false)
	t.Cleanup(func() {
		kubectl(t, cp.Sync, "-n", "staging", "patch", "configmap/held", "--type=json", "-p", `[{"op":"remove","path":"/metadata/finalizers"}]`)
		commitAndWait(t, map[string]string{rel: ""}, "drop the held configmap", false)
	})
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", gitFile(rel))
	mustKubectl(t, cp.Sync, "-n", "staging", "delete", "configmap/held", "--wait=false")
	if ts := mustKubectl(t, cp.Admin, "-n", "staging", "get", "configmap/held", "-o", "jsonpath={.metadata.deletionTimestamp}"); ts == "" {
		t.Fatal("configmap/held is not terminating")
	}
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "patch", "configmap/held", "--type=merge", "-p", `{"data":{"mode":"hand"}}`)
	denied(t, out, ok, "data.mode: git has", rel)
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "patch", "configmap/held", "--type=merge", "-p", `{"metadata":{"labels":{"smuggled":"yes"}}}`)
	denied(t, out, ok, "metadata.labels.smuggled")
	mustKubectl(t, cp.Admin, "-n", "staging", "delete", "configmap/held", "--wait=false")
}

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

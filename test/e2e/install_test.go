package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// The install (kubectl apply -k manifests/) is accepted by a real API server, and
// its RBAC splits the identities as README says: the webhook pods' ServiceAccount
// reads and keeps its own certificate and configuration, but cannot write
// workloads; the applier's is the sync identity and can. The webhook configuration
// is left out: pointing at pods that never start, it would fail every write.
func TestInstallManifestsSplitIdentities(t *testing.T) {
	rendered, err := exec.Command(filepath.Join(cp.BinDir, "kubectl"), "kustomize", filepath.Join(cluster.RepoRoot(), "manifests")).Output()
	if err != nil {
		t.Fatalf("kubectl kustomize manifests: %v", err)
	}
	var keep []string
	for _, doc := range strings.Split(string(rendered), "\n---\n") {
		if !strings.Contains(doc, "kind: ValidatingWebhookConfiguration") {
			keep = append(keep, doc)
		}
	}
	file := filepath.Join(t.TempDir(), "install.yaml")
	if err := os.WriteFile(file, []byte(strings.Join(keep, "\n---\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	// The sync identity installs it here only because the main gitgate would deny
	// an undeclared Namespace to anyone else.
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=install-e2e", "-f", file)
	t.Cleanup(func() {
		kubectl(t, cp.Sync, "delete", "--wait=false", "--ignore-not-found", "-f", file)
	})

	checkSplitIdentities(t, "gitgate-system", "gitgate")
}

// checkSplitIdentities checks the RBAC of an install of gitgate into namespace
// whose objects are named name, name-applier, name-tls, ...: the webhook pods'
// ServiceAccount (name) reads and keeps its own certificate and configuration
// but cannot write workloads; the applier's (name-applier) can. And both
// Deployments exist with their ServiceAccounts.
func checkSplitIdentities(t *testing.T, namespace, name string) {
	t.Helper()
	webhookSA := "system:serviceaccount:" + namespace + ":" + name
	applierSA := webhookSA + "-applier"
	can := func(user string, a authorizationv1.ResourceAttributes) bool {
		t.Helper()
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"},
			ResourceAttributes: &a,
		}}
		if err := cp.Client.Create(t.Context(), sar); err != nil {
			t.Fatal(err)
		}
		return sar.Status.Allowed
	}
	for _, c := range []struct {
		user string
		attr authorizationv1.ResourceAttributes
		want bool
	}{
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "list", Group: "apps", Resource: "deployments"}, true},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "patch", Group: "apps", Resource: "deployments", Namespace: "staging"}, false},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "update", Group: "apps", Resource: "deployments", Subresource: "scale", Namespace: "staging"}, false},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "delete", Resource: "configmaps", Namespace: "staging"}, false},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "create", Resource: "serviceaccounts", Subresource: "token", Namespace: namespace, Name: name + "-applier"}, false},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "impersonate", Resource: "serviceaccounts", Namespace: namespace, Name: name + "-applier"}, false},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "update", Group: "admissionregistration.k8s.io", Resource: "validatingwebhookconfigurations", Name: name}, true},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "update", Resource: "secrets", Namespace: namespace, Name: name + "-tls"}, true},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "update", Group: "coordination.k8s.io", Resource: "leases", Namespace: namespace, Name: "gitgate-leader"}, true},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "create", Group: "wgpolicyk8s.io", Resource: "policyreports", Namespace: "staging"}, true},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "create", Group: "", Resource: "events", Namespace: "staging"}, true},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "patch", Resource: "configmaps", Namespace: namespace, Name: name + "-audit-anchors"}, true},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "patch", Resource: "configmaps", Namespace: namespace, Name: name + "-inventory"}, false},
		{applierSA, authorizationv1.ResourceAttributes{Verb: "patch", Group: "apps", Resource: "deployments", Namespace: "staging"}, true},
		{applierSA, authorizationv1.ResourceAttributes{Verb: "delete", Resource: "configmaps", Namespace: "staging"}, true},
		{applierSA, authorizationv1.ResourceAttributes{Verb: "update", Resource: "configmaps", Namespace: namespace, Name: name + "-inventory"}, true},
		{applierSA, authorizationv1.ResourceAttributes{Verb: "update", Group: "coordination.k8s.io", Resource: "leases", Namespace: namespace, Name: name + "-applier"}, true},
		{applierSA, authorizationv1.ResourceAttributes{Verb: "impersonate", Resource: "serviceaccounts", Namespace: namespace, Name: name + "-applier"}, false},
		// Metrics behind authentication: both ask the API server about scrapers.
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "create", Group: "authentication.k8s.io", Resource: "tokenreviews"}, true},
		{webhookSA, authorizationv1.ResourceAttributes{Verb: "create", Group: "authorization.k8s.io", Resource: "subjectaccessreviews"}, true},
		{applierSA, authorizationv1.ResourceAttributes{Verb: "create", Group: "authentication.k8s.io", Resource: "tokenreviews"}, true},
		{applierSA, authorizationv1.ResourceAttributes{Verb: "create", Group: "authorization.k8s.io", Resource: "subjectaccessreviews"}, true},
	} {
		a := c.attr
		if got := can(c.user, a); got != c.want {
			t.Errorf("%s may %s %s/%s %s %s/%s: %v, want %v", c.user, a.Verb, a.Group, a.Resource, a.Subresource, a.Namespace, a.Name, got, c.want)
		}
	}
	// Both Deployments exist as shipped; their pods cannot start here (no kubelet).
	out := mustKubectl(t, cp.Admin, "-n", namespace, "get", "deployments", "-o", `jsonpath={range .items[*]}{.metadata.name}={.spec.template.spec.serviceAccountName} {end}`)
	if want := fmt.Sprintf("%[1]s=%[1]s %[1]s-applier=%[1]s-applier ", name); out != want {
		t.Errorf("deployments: %q, want %q", out, want)
	}
}

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// A Kustomization in git with spec.serviceAccountName: kustomize-controller
// impersonates that tenant ServiceAccount, and gitgate, which derives it from the
// Kustomization in git, lets it apply and prune what that Kustomization's path
// declares (no --sync-user names it) — and nothing else: the tenant's write to the
// Namespace (declared outside its path) and its `kubectl scale` are judged and
// denied like anyone's.
func TestFluxTenantServiceAccount(t *testing.T) {
	needFlux(t)
	ns := uniqueName("flux-tenant")
	tenant := "system:serviceaccount:" + ns + ":tenant"
	r := fluxRepo(t, ns, map[string]string{"flux/tenant.yaml": kustomization(ns, "app", ns, "./k8s/app", "tenant")})
	g := fluxGitgate(t, r, ns, "--flux-kustomization="+ns+"/app", "--flux-skew-interval=500ms")
	t.Cleanup(func() { kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false") })

	tenantPlatform(t, r, ns)
	rev := publish(t, r, ns, ns)
	mustKubectl(t, cp.Admin, "apply", "-f", gitFileOf(r, "flux/tenant.yaml"))
	waitFluxApplied(t, ns, "app", rev)
	for _, obj := range []string{"deployment/nginx-deployment", "service/nginx"} {
		if out, ok := kubectl(t, cp.Admin, "-n", ns, "get", obj, "-o", "jsonpath={.metadata.managedFields[*].manager}"); !ok || !strings.Contains(out, "kustomize-controller") {
			t.Fatalf("%s was not applied by Flux: %s", obj, out)
		}
	}
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	waitSkew(t, g, ns+"/app", head, head)

	out, ok := kubectl(t, cp.Admin, "--as="+tenant, "label", "namespace", ns, "team=x")
	denied(t, out, ok, "k8s/namespaces/staging.yaml:")
	out, ok = kubectl(t, cp.Admin, "--as="+tenant, "-n", ns, "scale", "deployment", "nginx-deployment", "--replicas=5")
	denied(t, out, ok, "k8s/app/deployment.yaml:", "spec.replicas")

	// Flux prunes, as the tenant, the Service removed from git.
	commitFiles(t, r, "remove the service", map[string]string{"k8s/app/service.yaml": ""})
	head, _ = r.Head()
	if err := g.WaitCommit(head, false, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	rev = publish(t, r, ns, ns)
	waitFluxApplied(t, ns, "app", rev)
	eventually(t, 30*time.Second, func() string {
		if out, ok := kubectl(t, cp.Admin, "-n", ns, "get", "service", "nginx"); ok || !strings.Contains(out, "NotFound") {
			return "Flux has not pruned the Service removed from git: " + out
		}
		return ""
	})
	if d := fluxDenials(t, g, tenant); len(d) != 2 {
		t.Errorf("gitgate denied the tenant %d times, want only the 2 writes above outside its scope:\n%s", len(d), strings.Join(d, "\n"))
	}
	if d := fluxDenials(t, g, cluster.FluxUser); len(d) > 0 {
		t.Errorf("gitgate denied Flux's own identity:\n%s", strings.Join(d, "\n"))
	}
}

// tenantPlatform does the platform's part, as an admin: git's namespace (its
// CREATE must equal git), the tenant's ServiceAccount, admin in its namespace,
// and patch on namespaces so that only gitgate stands between it and its
// Namespace.
func tenantPlatform(t *testing.T, r *cluster.Repo, ns string) {
	t.Helper()
	mustKubectl(t, cp.Admin, "apply", "-f", gitFileOf(r, "k8s/namespaces/staging.yaml"))
	mustKubectl(t, cp.Admin, "-n", ns, "create", "serviceaccount", "tenant")
	mustKubectl(t, cp.Admin, "-n", ns, "create", "rolebinding", "tenant-admin", "--clusterrole=admin", "--serviceaccount="+ns+":tenant")
	mustKubectl(t, cp.Admin, "create", "clusterrole", ns+"-namespaces", "--verb=get,patch,update", "--resource=namespaces")
	mustKubectl(t, cp.Admin, "create", "clusterrolebinding", ns+"-namespaces", "--clusterrole="+ns+"-namespaces", "--serviceaccount="+ns+":tenant")
	t.Cleanup(func() {
		kubectl(t, cp.Admin, "delete", "clusterrolebinding,clusterrole", ns+"-namespaces", "--ignore-not-found")
	})
}

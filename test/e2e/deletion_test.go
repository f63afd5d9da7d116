package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// Deletion by proxy: an owner that does not exist, put on a declared object by
// whoever can write it (here the sync identity, which may write anything, as any
// bypass would), must not let the garbage collector delete it — in both of
// kube-controller-manager's credential modes.
func TestDeletionByProxy(t *testing.T) {
	kcmModes(t, func(t *testing.T, serviceAccounts bool) {
		name := uniqueName("proxy")
		declare(t, name, configMapAndService(name))
		for _, kind := range []string{"configmap", "service"} {
			mustKubectl(t, cp.Sync, "-n", "staging", "patch", kind, name, "--type=merge", "-p", ghostOwner(name))
		}
		gc := gcUser(serviceAccounts)
		eventually(t, 90*time.Second, func() string {
			for _, kind := range []string{"ConfigMap", "Service"} {
				if !auditedDenial(t, gc, "DELETE", kind, name) {
					return fmt.Sprintf("no denied DELETE of %s %s by %s in the audit log yet", kind, name, gc)
				}
			}
			return ""
		})
		time.Sleep(3 * time.Second) // the garbage collector retries; none may pass
		mustKubectl(t, cp.Admin, "-n", "staging", "get", "configmap,service", name)
	})
}

// In --merge mode a human may add undeclared fields, but not an owner or a
// finalizer of a declared object: those decide who deletes it.
func TestMergeModeJudgesOwnersAndFinalizers(t *testing.T) {
	ns := uniqueName("merge")
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "merge-repo"))
	if err != nil {
		t.Fatal(err)
	}
	cm := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: %s}\ndata: {color: blue}\n", ns)
	if err := r.WriteFile("k8s/settings.yaml", cm); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit("settings"); err != nil {
		t.Fatal(err)
	}
	g := startGitgate(t, ns, cp.Sync, "--repo="+r.Dir, "--path=k8s", "--interval=1s", "--merge", "--drift-interval=0", "--exposure-interval=0")
	mustKubectl(t, cp.Admin, "create", "namespace", ns)
	t.Cleanup(func() { kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false") })
	registerWebhook(t, g, "gitgate-"+ns, func(w *admissionregistrationv1.ValidatingWebhook) {
		w.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}}
	})
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", filepath.Join(r.Dir, "k8s/settings.yaml"))

	eventually(t, 20*time.Second, func() string { // the webhook configuration takes effect
		out, ok := kubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "settings", "--type=merge", "-p", `{"data":{"color":"red"}}`)
		if ok {
			kubectl(t, cp.Sync, "-n", ns, "patch", "configmap", "settings", "--type=merge", "-p", `{"data":{"color":"blue"}}`)
			return "a declared value changed: the merge-mode webhook is not called yet"
		}
		if !strings.Contains(out, "denied the request") {
			return "unexpected failure: " + out
		}
		return ""
	})
	mustKubectl(t, cp.Admin, "-n", ns, "label", "configmap", "settings", "team=payments") // merge mode: undeclared is fine
	out, ok := kubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "settings", "--type=merge", "-p", ghostOwner("settings"))
	denied(t, out, ok, "metadata.ownerReferences: adds owner ConfigMap ghost-settings")
	out, ok = kubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "settings", "--type=merge", "-p", `{"metadata":{"finalizers":["example.com/hold"]}}`)
	denied(t, out, ok, "metadata.finalizers: adds example.com/hold")
}

// A Namespace that holds declared objects may not be deleted (the namespace
// controller would delete them); once the sync identity deletes it, the namespace
// controller may empty it — in both credential modes.
func TestNamespaceHoldingDeclared(t *testing.T) {
	kcmModes(t, func(t *testing.T, serviceAccounts bool) {
		ns := uniqueName("held")
		rel := "k8s/" + ns + "/settings.yaml"
		mustKubectl(t, cp.Admin, "create", "namespace", ns)
		commitAndWait(t, map[string]string{rel: fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: %s}\ndata: {a: b}\n", ns)}, "declare "+ns, false)
		t.Cleanup(func() {
			commitAndWait(t, map[string]string{rel: ""}, "remove "+ns, false)
			kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false", "--ignore-not-found")
		})
		mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", gitFile(rel))

		out, ok := kubectl(t, cp.Admin, "delete", "namespace", ns, "--wait=false")
		denied(t, out, ok, "namespace "+ns+" holds 1 objects git declares", "ConfigMap "+ns+"/settings")
		if !auditedDenial(t, cluster.AdminUser, "DELETE", "Namespace", ns) {
			t.Error("the denied namespace deletion is not audited")
		}
		mustKubectl(t, cp.Admin, "-n", ns, "get", "configmap", "settings")

		mustKubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false")
		eventually(t, 90*time.Second, func() string {
			if out, ok := kubectl(t, cp.Admin, "get", "namespace", ns); ok {
				return "the namespace controller has not emptied it: " + out
			}
			return ""
		})
	})
}

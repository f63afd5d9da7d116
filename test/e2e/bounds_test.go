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

// onlyNamespace has a second gitgate's webhook judge one namespace alone.
func onlyNamespace(ns string) func(*admissionregistrationv1.ValidatingWebhook) {
	return func(w *admissionregistrationv1.ValidatingWebhook) {
		w.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}}
	}
}

// boundsRepo is a repository declaring a namespace and one ConfigMap in it.
func boundsRepo(t *testing.T, ns string) *cluster.Repo {
	t.Helper()
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), ns))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, r, "k8s/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n")
	mustWrite(t, r, "k8s/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: "+ns+"}\ndata: {color: blue}\n")
	mustCommit(t, r, "declare "+ns)
	return r
}

func mustWrite(t *testing.T, r *cluster.Repo, rel, content string) {
	t.Helper()
	if err := r.WriteFile(rel, content); err != nil {
		t.Fatal(err)
	}
}

// mustCommit commits everything and returns the new HEAD.
func mustCommit(t *testing.T, r *cluster.Repo, msg string) string {
	t.Helper()
	if _, err := r.Git("add", "-A"); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(msg); err != nil {
		t.Fatal(err)
	}
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// TestCommitOverBoundsE2E: a commit with more objects than --max-objects is
// rejected and the previous revision keeps serving; a gitgate restarted on that
// HEAD stays up, explains its denials, and serves the fixing commit when it lands.
func TestCommitOverBoundsE2E(t *testing.T) {
	const ns = "bounds-e2e"
	r := boundsRepo(t, ns)
	good, _ := r.Head()
	g := startGitgate(t, "bounds", cp.Sync, "--repo="+r.Dir, "--path=k8s", "--interval=1s", "--drift-interval=0", "--exposure-interval=0", "--max-objects=5")
	registerWebhook(t, g, "gitgate-bounds", onlyNamespace(ns))
	mustKubectl(t, cp.Sync, "apply", "-f", filepath.Join(r.Dir, "k8s"))
	t.Cleanup(func() { kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false") })
	patch := func() (string, bool) {
		return kubectl(t, cp.Admin, "-n", ns, "patch", "configmap/settings", "--type=merge", "-p", `{"data":{"color":"red"}}`)
	}

	var many strings.Builder
	for i := range 6 {
		fmt.Fprintf(&many, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra-%d, namespace: %s}\n", i, ns)
	}
	mustWrite(t, r, "k8s/many.yaml", many.String())
	big := mustCommit(t, r, "too many objects")
	if err := g.WaitCommit(big, true, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if m, _ := g.Metrics(); !contains(m, `gitgate_revision_limit_exceeded_total{limit="objects"} 1`) || !contains(m, fmt.Sprintf("gitgate_revision_info{commit=%q} 1", good)) {
		t.Errorf("metrics: want the objects bound counted once and %s still served", good[:7])
	}
	out, ok := patch()
	denied(t, out, ok, "@"+good[:7]+":k8s/settings.yaml")

	g.Kill()
	if err := g.RestartUnready(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() string {
		out, ok := patch()
		if ok || !contains(out, "has not loaded git yet") || !contains(out, "more than 5 objects") {
			return "want an explained not-loaded denial, got: " + out
		}
		return ""
	})
	if err := g.WaitReady(2 * time.Second); err == nil {
		t.Error("ready without a revision")
	}

	if _, err := r.Git("rm", "-q", "k8s/many.yaml"); err != nil {
		t.Fatal(err)
	}
	fix := mustCommit(t, r, "fewer objects")
	if err := g.WaitCommit(fix, false, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := g.WaitReady(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	out, ok = patch()
	denied(t, out, ok, "@"+fix[:7]+":k8s/settings.yaml")
}

// TestBuildTimeoutE2E: a kustomize fan-out (13 levels of two bases each) is
// rejected at --build-timeout, counted, and the fixing commit is served right
// after it lands.
func TestBuildTimeoutE2E(t *testing.T) {
	const ns = "build-timeout-e2e"
	r := boundsRepo(t, ns)
	g := startGitgate(t, "build-timeout", cp.Sync, "--repo="+r.Dir, "--path=k8s", "--interval=1s", "--drift-interval=0", "--exposure-interval=0", "--build-timeout=2s")
	for _, side := range []string{"a", "b"} {
		mustWrite(t, r, "fan/l0/"+side+"/kustomization.yaml", "resources: [cm.yaml]\n")
		mustWrite(t, r, "fan/l0/"+side+"/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "+side+", namespace: "+ns+"}\n")
		for l := 1; l <= 13; l++ {
			mustWrite(t, r, fmt.Sprintf("fan/l%d/%s/kustomization.yaml", l, side), fmt.Sprintf("namePrefix: %s-\nresources: [../../l%d/a, ../../l%d/b]\n", side, l-1, l-1))
		}
	}
	mustWrite(t, r, "k8s/fan/kustomization.yaml", "resources: [../../fan/l13/a]\n")
	fan := mustCommit(t, r, "fan-out")
	start := time.Now()
	if err := g.WaitCommit(fan, true, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("fan-out rejected %s after its commit", time.Since(start).Round(time.Millisecond))
	if m, _ := g.Metrics(); !contains(m, `gitgate_revision_limit_exceeded_total{limit="buildTime"} 1`) {
		t.Error("metrics: want the buildTime bound counted once")
	}
	if _, err := r.Git("rm", "-rq", "fan", "k8s/fan"); err != nil {
		t.Fatal(err)
	}
	fix := mustCommit(t, r, "no fan-out")
	start = time.Now()
	if err := g.WaitCommit(fix, false, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("fix served %s after its commit", time.Since(start).Round(time.Millisecond))
}

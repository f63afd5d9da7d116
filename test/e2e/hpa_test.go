package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// autoscaledDeployment is a Deployment with git's replicas 1 and an HPA whose
// minReplicas 2 is above it: the HPA controller scales it to 2 with no metrics.
func autoscaledDeployment(name, ns string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  replicas: 1
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      containers: [{name: app, image: "nginx:1.21"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %[1]s}
  minReplicas: 2
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
`, name, ns)
}

func replicas(t *testing.T, ns, name string) string {
	t.Helper()
	out, _ := kubectl(t, cp.Admin, "-n", ns, "get", "deployment", name, "-o", "jsonpath={.spec.replicas}/{.status.replicas}")
	return out
}

// An HPA in git owns its Deployment's spec.replicas within minReplicas..maxReplicas:
// the HPA controller scales it, whichever identity kube-controller-manager gives it,
// and the Deployment rolls out; a human may not scale it, not even to git's value.
func TestHPAOwnsReplicas(t *testing.T) {
	kcmModes(t, func(t *testing.T, serviceAccounts bool) {
		name := uniqueName("hpa")
		declare(t, name, autoscaledDeployment(name, "staging"))
		eventually(t, 90*time.Second, func() string {
			if got := replicas(t, "staging", name); got != "2/2" {
				return "spec/status replicas " + got + ", want 2/2 (the HPA controller scales to minReplicas, the Deployment rolls out)"
			}
			return ""
		})
		out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment", name, "--replicas=3")
		denied(t, out, ok, "spec.replicas: owned by HorizontalPodAutoscaler.autoscaling staging/"+name, "within 2..3")
		out, ok = kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment", name, "--replicas=1")
		denied(t, out, ok, "only the HPA controller moves it")
		for _, l := range auditLines(t) {
			if strings.Contains(l, `"name":"`+name+`"`) && strings.Contains(l, `"decision":"denied"`) && !strings.Contains(l, `"username":"`+cluster.AdminUser+`"`) {
				t.Errorf("a controller's write was denied: %s", l)
			}
		}
	})
}

// gitgate's own applier leaves the replicas the HPA controller set (within git's
// range) alone, instead of forcing git's spec.replicas back on every apply.
func TestApplierLeavesHPAReplicas(t *testing.T) {
	ns, name := uniqueName("hpa-apply"), "web"
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "hpa-repo"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"k8s/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n",
		"k8s/web.yaml":       autoscaledDeployment(name, ns),
	}
	for rel, content := range files {
		if err := r.WriteFile(rel, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit("web with an HPA"); err != nil {
		t.Fatal(err)
	}
	startGitgate(t, ns, cp.Sync, "--webhook=false", "--repo="+r.Dir, "--path=k8s", "--interval=1s", "--apply", "--apply-interval=1s",
		"--drift-interval=0", "--exposure-interval=0", "--leader-elect", "--leader-election-namespace=default",
		"--leader-election-id="+ns, "--inventory=default/"+ns)
	t.Cleanup(func() { kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false") })
	eventually(t, 90*time.Second, func() string {
		if got := replicas(t, ns, name); !strings.HasPrefix(got, "2/") {
			return "spec/status replicas " + got + ", want 2 (minReplicas)"
		}
		return ""
	})
	for deadline := time.Now().Add(8 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got := replicas(t, ns, name); !strings.HasPrefix(got, "2/") {
			t.Fatalf("spec/status replicas %s: the applier fought the HPA", got)
		}
	}
}

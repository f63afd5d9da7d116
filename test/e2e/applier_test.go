package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

const applyRepoNamespace = `apiVersion: v1
kind: Namespace
metadata:
  name: apply-e2e
`

const applyRepoConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: apply-e2e
data:
  color: blue
`

const applyRepoCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.apply.gitgate.dev
spec:
  group: apply.gitgate.dev
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`

const applyRepoWidget = `apiVersion: apply.gitgate.dev/v1
kind: Widget
metadata:
  name: gear
  namespace: apply-e2e
spec:
  teeth: 12
`

// startApplier runs an applier-only gitgate (--webhook=false, as manifests/applier.yaml
// ships it) on a repository of its own (namespace apply-e2e, which the main gitgate
// does not govern, so humans can make changes there as if the webhook were off).
func startApplier(t *testing.T, repoDir, name string) *cluster.Gitgate {
	t.Helper()
	g := startGitgate(t, name, cp.Sync,
		"--webhook=false", "--repo="+repoDir, "--path=k8s", "--interval=1s", "--apply", "--apply-interval=2s",
		"--drift-interval=0", "--exposure-interval=0", "--leader-elect", "--leader-election-namespace=default",
		"--leader-election-id=apply-e2e", "--inventory=default/apply-e2e-inventory")
	return g
}

func TestApplierSyncsHealsAndPrunes(t *testing.T) {
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "apply-repo"))
	if err != nil {
		t.Fatal(err)
	}
	for rel, content := range map[string]string{
		"k8s/namespace.yaml": applyRepoNamespace, "k8s/settings.yaml": applyRepoConfigMap,
		"k8s/widget.yaml": applyRepoWidget, "k8s/widget-crd.yaml": applyRepoCRD,
		// The applier honours a break-glass window only as this revision's policy allows.
		"policies/config.rego": "package gitgate.config\n\nbreak_glass := {\"groups\": [\"oncall\"], \"ttl\": \"1h\"}\n",
	} {
		if err := r.WriteFile(rel, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit("apply me"); err != nil {
		t.Fatal(err)
	}
	first := startApplier(t, r.Dir, "applier-1")
	second := startApplier(t, r.Dir, "applier-2")

	// The CRD and its custom resource from the same commit apply in order.
	waitApplied(t, "apply-e2e", "configmap/settings", "widget/gear")
	// A human change made where no webhook guards it is reverted by self-heal.
	waitHealed(t, "apply-e2e", "configmap/settings")
	// A break-glass change is left alone while its window lasts and reverted after.
	until := time.Now().Add(8 * time.Second)
	mustKubectl(t, cp.Admin, "-n", "apply-e2e", "patch", "configmap/settings", "--type=merge", "-p",
		fmt.Sprintf(`{"metadata":{"annotations":{"gitgate.dev/break-glass":"INC-7: hotfix","gitgate.dev/break-glass-until":%q}},"data":{"color":"amber"}}`, until.UTC().Format(time.RFC3339)))
	time.Sleep(time.Until(until) - 2*time.Second) // three self-heal passes inside the window
	if out := mustKubectl(t, cp.Admin, "-n", "apply-e2e", "get", "configmap/settings", "-o", "jsonpath={.data.color}"); out != "amber" {
		t.Fatalf("break-glass change reverted inside its window: color %s", out)
	}
	waitColor(t, "apply-e2e", "configmap/settings", "blue")
	// A commit removing an object prunes it.
	waitPruned(t, r, "k8s/settings.yaml", "apply-e2e", "configmap/settings")
	// Two processes, one applier: only the leader applied.
	applied := func(g *cluster.Gitgate) bool {
		data, _ := os.ReadFile(filepath.Join(g.Dir, "gitgate.log"))
		return strings.Contains(string(data), `"logger":"apply","msg":"applied"`)
	}
	if applied(first) == applied(second) {
		t.Errorf("want exactly one applier: first applied %v, second applied %v", applied(first), applied(second))
	}
}

// `gitgate rbac` grants the applier exactly the kinds git declares; an applier bound
// to nothing else applies, heals and prunes them (here in namespace default, which
// the main gitgate does not govern). It runs as the sync identity's username —
// so the main webhook lets it set gitgate.dev/ labels — from a client certificate
// without groups: its only rights are the generated ones.
func TestApplierWithGeneratedRBAC(t *testing.T) {
	const user, inventory = cluster.SyncUser, "apply-rbac-inventory"
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "rbac-repo"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"k8s/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: rbac-settings, namespace: default}\ndata: {color: blue}\n",
		"k8s/web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: rbac-web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: rbac-web}}
  template:
    metadata: {labels: {app: rbac-web}}
    spec:
      containers: [{name: web, image: nginx:1.27}]
`,
	}
	for rel, content := range files {
		if err := r.WriteFile(rel, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit("two kinds"); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(filepath.Dir(gg.Dir), "bin", "gitgate")
	out, err := exec.Command(bin, "rbac", "--repo="+r.Dir, "--path=k8s", "--name=apply-rbac-e2e", "--user="+user,
		"--inventory=default/"+inventory, "--leader-election-id=apply-rbac").CombinedOutput()
	if err != nil {
		t.Fatalf("gitgate rbac: %v: %s", err, out)
	}
	for _, want := range []string{"- configmaps\n", "- deployments\n", "name: " + user} {
		if !strings.Contains(string(out), want) {
			t.Errorf("gitgate rbac output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), `"*"`) {
		t.Errorf("gitgate rbac granted a wildcard:\n%s", out)
	}
	rbacFile := filepath.Join(t.TempDir(), "rbac.yaml")
	if err := os.WriteFile(rbacFile, out, 0o644); err != nil {
		t.Fatal(err)
	}
	mustKubectl(t, cp.Admin, "apply", "-f", rbacFile)
	kubeconfig, err := cp.AddUnprivilegedUser(user)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		verb, resource string
		want           bool
	}{{"patch", "configmaps", true}, {"delete", "deployments.apps", true}, {"create", "secrets", false}, {"create", "services", false}} {
		got, _ := kubectl(t, cp.Admin, "auth", "can-i", c.verb, c.resource, "-n", "default", "--as="+user)
		if (strings.TrimSpace(got) == "yes") != c.want {
			t.Fatalf("with the generated RBAC, can %s %s: %s (want %v)", c.verb, c.resource, strings.TrimSpace(got), c.want)
		}
	}
	t.Cleanup(func() {
		kubectl(t, cp.Admin, "delete", "--ignore-not-found", "-f", rbacFile)
		kubectl(t, cp.Admin, "-n", "default", "delete", "--ignore-not-found", "configmap/rbac-settings", "deployment/rbac-web", "configmap/"+inventory)
	})
	g := startGitgate(t, "applier-rbac", kubeconfig, "--webhook=false", "--repo="+r.Dir, "--path=k8s", "--interval=1s",
		"--apply", "--apply-interval=2s", "--sync-user="+user, "--drift-interval=0", "--exposure-interval=0",
		"--leader-elect", "--leader-election-namespace=default", "--leader-election-id=apply-rbac", "--inventory=default/"+inventory)
	waitApplied(t, "default", "configmap/rbac-settings", "deployment/rbac-web")
	waitHealed(t, "default", "configmap/rbac-settings")
	waitPruned(t, r, "k8s/settings.yaml", "default", "configmap/rbac-settings")
	log, _ := os.ReadFile(filepath.Join(g.Dir, "gitgate.log"))
	if strings.Contains(string(log), "forbidden") {
		t.Errorf("the applier met a forbidden request with the generated RBAC:\n%s", grepLines(string(log), "forbidden"))
	}
}

// waitApplied waits until the applier has applied (labelled) every object.
func waitApplied(t *testing.T, ns string, objs ...string) {
	t.Helper()
	want := strings.Repeat("true ", len(objs))
	eventually(t, 60*time.Second, func() string {
		out, ok := kubectl(t, cp.Admin, append([]string{"-n", ns, "get"}, append(objs, "-o", `jsonpath={range .items[*]}{.metadata.labels.gitgate\.dev/managed}{" "}{end}`)...)...)
		if !ok || out != want {
			return "not applied yet: " + out
		}
		return ""
	})
}

// waitHealed changes a ConfigMap's data.color from git's blue by hand, where no
// webhook guards it, and waits for self-heal to put blue back.
func waitHealed(t *testing.T, ns, cm string) {
	t.Helper()
	mustKubectl(t, cp.Admin, "-n", ns, "patch", cm, "--type=merge", "-p", `{"data":{"color":"red"}}`)
	waitColor(t, ns, cm, "blue")
}

func waitColor(t *testing.T, ns, cm, want string) {
	t.Helper()
	eventually(t, 30*time.Second, func() string {
		if out := mustKubectl(t, cp.Admin, "-n", ns, "get", cm, "-o", "jsonpath={.data.color}"); out != want {
			return "color still " + out
		}
		return ""
	})
}

// waitPruned removes a file from git and waits for the applier to prune its object.
func waitPruned(t *testing.T, r *cluster.Repo, rel, ns, obj string) {
	t.Helper()
	if _, err := r.Git("rm", "-q", rel); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit("remove " + rel); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() string {
		if out, ok := kubectl(t, cp.Admin, "-n", ns, "get", obj); ok {
			return "not pruned: " + out
		}
		return ""
	})
}

func grepLines(s, sub string) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return strings.Join(out, "\n")
}

// An applier whose identity is not a --sync-user would have its writes judged by
// the webhook like a human's; gitgate says so at start.
func TestApplierWarnsWhenNotTheSyncIdentity(t *testing.T) {
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "empty-repo"))
	if err != nil {
		t.Fatal(err)
	}
	const warning = "the applier runs as a user that is not a --sync-user"
	for _, c := range []struct {
		name, kubeconfig string
		warns            bool
	}{{"applier-as-alice", cp.Admin, true}, {"applier-as-sync", cp.Sync, false}} {
		g := startGitgate(t, c.name, c.kubeconfig,
			"--webhook=false", "--apply", "--repo="+r.Dir, "--drift-interval=0", "--exposure-interval=0",
			"--inventory=default/"+c.name)
		g.Stop()
		log, _ := os.ReadFile(filepath.Join(g.Dir, "gitgate.log"))
		if got := strings.Contains(string(log), warning); got != c.warns {
			t.Errorf("%s: warning logged = %v, want %v", c.name, got, c.warns)
		}
	}
}

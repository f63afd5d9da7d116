package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

const (
	webChart     = "apiVersion: v2\nname: web\nversion: 0.1.0\n"
	webValues    = "replicaCount: 1\ncolor: blue\n"
	webConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  color: {{ .Values.color | quote }}
  mode: fixed
`
	webDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: app
          image: registry.k8s.io/pause:3.10
`
	webRelease = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: %s
spec:
  interval: 1m
  chart:
    spec:
      chart: ./charts/web
      sourceRef:
        kind: GitRepository
        name: flux-system
        namespace: flux-system
  valuesFrom:
    - kind: ConfigMap
      name: web-values
  values:
    color: %s
`
)

// A chart in git, named by a HelmRelease, is rendered into the index: what
// helm-controller installs and upgrades is allowed, a human's edit of a
// rendered object is denied naming the line that set the value (the template's
// or the HelmRelease's values), a repair is allowed, and a values change
// committed to git is enforced as soon as the commit is loaded.
func TestHelmChartInGit(t *testing.T) {
	ns := uniqueName("helm")
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "helm-repo"))
	if err != nil {
		t.Fatal(err)
	}
	release := fmt.Sprintf(webRelease, ns, "red")
	for rel, content := range map[string]string{"k8s/release.yaml": release, "charts/web/Chart.yaml": webChart, "charts/web/values.yaml": webValues,
		"charts/web/templates/configmap.yaml": webConfigMap, "charts/web/templates/deployment.yaml": webDeployment} {
		if err := r.WriteFile(rel, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit("a chart and its HelmRelease"); err != nil {
		t.Fatal(err)
	}
	cfg := asHelmController(t, ns)
	mustKubectl(t, cp.Admin, "create", "namespace", ns)
	t.Cleanup(func() { kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false") })
	mustKubectl(t, cp.Admin, "-n", ns, "create", "configmap", "web-values", "--from-literal=values.yaml=replicaCount: 2")

	g := startGitgate(t, ns, cp.Sync, "--repo="+r.Dir, "--path=k8s", "--interval=1s", "--drift-interval=0", "--exposure-interval=0",
		"--sync-user="+helmController)
	governNamespace(t, g, ns, "web-settings")

	chartDir := filepath.Join(r.Dir, "charts/web")
	if err := helmRelease(t.Context(), cfg, chartDir, ns, "web", map[string]any{"replicaCount": 2, "color": "red"}); err != nil {
		t.Fatalf("helm-controller's install was refused: %v", err)
	}
	mustKubectl(t, cp.Admin, "-n", ns, "get", "secret", "sh.helm.release.v1.web.v1") // Helm's bookkeeping

	out, ok := kubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "web-settings", "--type=merge", "-p", `{"data":{"color":"pink"}}`)
	denied(t, out, ok, "data.color", fmt.Sprintf("k8s/release.yaml:%d", lineOf(t, release, "color: red")))
	out, ok = kubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "web-settings", "--type=merge", "-p", `{"data":{"mode":"loose"}}`)
	denied(t, out, ok, "data.mode", fmt.Sprintf("charts/web/templates/configmap.yaml:%d", lineOf(t, webConfigMap, "mode: fixed")))
	out, ok = kubectl(t, cp.Admin, "-n", ns, "scale", "deployment", "web", "--replicas=5")
	denied(t, out, ok, "spec.replicas", fmt.Sprintf("k8s/release.yaml:%d", lineOf(t, release, "- kind: ConfigMap")))
	out, ok = kubectl(t, cp.Admin, "-n", ns, "delete", "configmap", "web-settings")
	denied(t, out, ok)

	mustKubectl(t, cp.Sync, "-n", ns, "patch", "configmap", "web-settings", "--type=merge", "-p", `{"data":{"color":"pink"}}`) // drift by a bypass
	mustKubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "web-settings", "--type=merge", "-p", `{"data":{"color":"red"}}`) // the repair

	if err := r.WriteFile("k8s/release.yaml", fmt.Sprintf(webRelease, ns, "green")); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit("web: green"); err != nil {
		t.Fatal(err)
	}
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	committed := time.Now()
	if err := g.WaitCommit(strings.TrimSpace(head), false, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("the values change is enforced %s after the commit", time.Since(committed).Round(10*time.Millisecond))
	out, ok = kubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "web-settings", "--type=merge", "-p", `{"data":{"color":"blue"}}`)
	denied(t, out, ok, "data.color", `"green"`) // before helm-controller upgrades: git's new value is the one a human may set
	if err := helmRelease(t.Context(), cfg, chartDir, ns, "web", map[string]any{"replicaCount": 2, "color": "green"}); err != nil {
		t.Fatalf("helm-controller's upgrade was refused: %v", err)
	}
	mustKubectl(t, cp.Admin, "-n", ns, "get", "secret", "sh.helm.release.v1.web.v2")
	out, ok = kubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "web-settings", "--type=merge", "-p", `{"data":{"color":"red"}}`)
	denied(t, out, ok, "data.color", `"green"`)
}

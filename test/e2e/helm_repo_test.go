package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

const repoRelease = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: shop
  namespace: %s
spec:
  interval: 1m
  chart:
    spec:
      chart: web
      version: "0.1.x"
      sourceRef:
        kind: HelmRepository
        name: charts
  values:
    color: %s
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: %s
spec:
  interval: 1h
  url: %s
`

// serveChart packages the web chart now and serves it as a chart repository
// (index.yaml and the archive) on loopback; it returns the repository's URL
// and the archive's path.
func serveChart(t *testing.T) (string, string) {
	t.Helper()
	src, dir := t.TempDir(), t.TempDir()
	for rel, content := range map[string]string{"Chart.yaml": webChart, "values.yaml": webValues,
		"templates/configmap.yaml": webConfigMap, "templates/deployment.yaml": webDeployment} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := loader.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	archive, err := chartutil.Save(c, dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	index := fmt.Sprintf("apiVersion: v1\nentries:\n  web:\n    - name: web\n      version: 0.1.0\n      urls: [web-0.1.0.tgz]\n      digest: %s\n", hex.EncodeToString(sum[:]))
	if err := os.WriteFile(filepath.Join(dir, "index.yaml"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL, archive
}

// A HelmRelease whose chart comes from a chart repository (served on loopback)
// is rendered from the fetched archive: helm-controller's install is allowed, a
// human's edit is denied naming the HelmRelease's values line, a repair is
// allowed, and a values change in git is enforced once the commit loads.
func TestHelmChartRepository(t *testing.T) {
	ns := uniqueName("helmrepo")
	url, archive := serveChart(t)
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "helmrepo-repo"))
	if err != nil {
		t.Fatal(err)
	}
	release := fmt.Sprintf(repoRelease, ns, "red", ns, url)
	if err := r.WriteFile("k8s/release.yaml", release); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit("a HelmRelease from a chart repository"); err != nil {
		t.Fatal(err)
	}
	cfg := asHelmController(t, ns)
	mustKubectl(t, cp.Admin, "create", "namespace", ns)
	t.Cleanup(func() { kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false") })
	g := startGitgate(t, ns, cp.Sync, "--repo="+r.Dir, "--path=k8s", "--interval=1s", "--drift-interval=0", "--exposure-interval=0",
		"--sync-user="+helmController)
	governNamespace(t, g, ns, "shop-settings")

	if err := helmRelease(t.Context(), cfg, archive, ns, "shop", map[string]any{"color": "red"}); err != nil {
		t.Fatalf("helm-controller's install was refused: %v", err)
	}
	out, ok := kubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "shop-settings", "--type=merge", "-p", `{"data":{"color":"pink"}}`)
	denied(t, out, ok, "data.color", fmt.Sprintf("k8s/release.yaml:%d", lineOf(t, release, "color: red")))
	out, ok = kubectl(t, cp.Admin, "-n", ns, "scale", "deployment", "shop", "--replicas=4")
	denied(t, out, ok, "spec.replicas", "k8s/release.yaml:1") // the chart's default: the HelmRelease is where to set it
	mustKubectl(t, cp.Sync, "-n", ns, "patch", "configmap", "shop-settings", "--type=merge", "-p", `{"data":{"color":"pink"}}`)
	mustKubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "shop-settings", "--type=merge", "-p", `{"data":{"color":"red"}}`)

	if err := r.WriteFile("k8s/release.yaml", fmt.Sprintf(repoRelease, ns, "green", ns, url)); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit("shop: green"); err != nil {
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
	if err := helmRelease(t.Context(), cfg, archive, ns, "shop", map[string]any{"color": "green"}); err != nil {
		t.Fatalf("helm-controller's upgrade was refused: %v", err)
	}
	out, ok = kubectl(t, cp.Admin, "-n", ns, "patch", "configmap", "shop-settings", "--type=merge", "-p", `{"data":{"color":"red"}}`)
	denied(t, out, ok, "data.color", `"green"`)
}

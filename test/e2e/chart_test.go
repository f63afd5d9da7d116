package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/release"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// The chart (manifests/chart/gitgate), installed with Helm's SDK as `helm install
// gitgate-chart-e2e manifests/chart/gitgate -n gitgate-chart-e2e
// --create-namespace` would, is accepted by a real API server and passes the
// checks the kustomize install passes (its RBAC splits the identities; both
// Deployments exist). Its webhook configuration is left out of the release as
// the kustomize test leaves it out (pointing at pods that never start, it would
// fail every write), but the API server validates it (its CEL conditions
// compile) in a server-side dry run. Uninstalling leaves nothing behind.
func TestChartInstallSplitIdentities(t *testing.T) {
	const name, namespace = "gitgate-chart-e2e", "gitgate-chart-e2e"
	t.Cleanup(func() { kubectl(t, cp.Sync, "delete", "namespace", namespace, "--wait=false", "--ignore-not-found") })
	cfg := helmConfig(t, namespace)
	chrt, err := loader.Load(filepath.Join(cluster.RepoRoot(), "manifests", "chart", "gitgate"))
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	install := action.NewInstall(cfg)
	install.ReleaseName, install.Namespace, install.CreateNamespace = name, namespace, true
	install.Timeout = time.Minute
	webhooks := &withoutWebhookConfig{}
	install.PostRenderer = webhooks
	rel, err := install.RunWithContext(t.Context(), chrt, map[string]any{"repo": map[string]any{"url": "https://example.com/org/config.git"}})
	if err != nil {
		t.Fatalf("helm install: %v", err)
	}
	if rel.Info.Status != release.StatusDeployed {
		t.Fatalf("release %s: %s", name, rel.Info.Status)
	}

	checkSplitIdentities(t, namespace, name)
	if !strings.Contains(webhooks.removed, "name: "+name+"\n") {
		t.Fatalf("the chart rendered no ValidatingWebhookConfiguration %s", name)
	}
	file := filepath.Join(t.TempDir(), "webhook.yaml")
	if err := os.WriteFile(file, []byte(webhooks.removed), 0o644); err != nil {
		t.Fatal(err)
	}
	mustKubectl(t, cp.Sync, "create", "--dry-run=server", "-f", file)

	objects := releaseObjects(t, rel.Manifest)
	if _, err := action.NewUninstall(cfg).Run(name); err != nil {
		t.Fatalf("helm uninstall: %v", err)
	}
	eventually(t, 30*time.Second, func() string {
		var left []string
		for _, o := range objects {
			args := []string{"get", o.GetKind() + "/" + o.GetName(), "--ignore-not-found", "-o", "name"}
			if o.GetNamespace() != "" {
				args = append(args, "-n", o.GetNamespace())
			}
			if out := mustKubectl(t, cp.Admin, args...); out != "" {
				left = append(left, strings.TrimSpace(out))
			}
		}
		if out := mustKubectl(t, cp.Admin, "-n", namespace, "get", "secrets", "-l", "owner=helm", "-o", "name"); out != "" {
			left = append(left, strings.TrimSpace(out))
		}
		if len(left) > 0 {
			return "left after helm uninstall: " + strings.Join(left, ", ")
		}
		return ""
	})
	if len(objects) < 20 {
		t.Errorf("the release held %d objects", len(objects))
	}
}

// helmConfig is Helm's configuration acting as the sync identity: the main
// gitgate would deny an undeclared Namespace to anyone else, as in the kustomize
// install test.
func helmConfig(t *testing.T, namespace string) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	kubeconfig := cp.Sync
	flags.KubeConfig, flags.Namespace = &kubeconfig, &namespace
	cfg := &action.Configuration{}
	if err := cfg.Init(flags, namespace, "secret", t.Logf); err != nil {
		t.Fatalf("helm configuration: %v", err)
	}
	return cfg
}

// withoutWebhookConfig is a post-renderer that takes the
// ValidatingWebhookConfiguration out of the release and keeps it in removed.
type withoutWebhookConfig struct{ removed string }

func (w *withoutWebhookConfig) Run(in *bytes.Buffer) (*bytes.Buffer, error) {
	var keep []string
	for doc := range strings.SplitSeq(in.String(), "\n---") {
		if strings.Contains(doc, "\nkind: ValidatingWebhookConfiguration\n") {
			w.removed += doc + "\n"
			continue
		}
		keep = append(keep, doc)
	}
	return bytes.NewBufferString(strings.Join(keep, "\n---")), nil
}

// releaseObjects parses a release's manifest.
func releaseObjects(t *testing.T, manifest string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for doc := range strings.SplitSeq(manifest, "\n---") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("parse the release manifest: %v", err)
		}
		if len(m) > 0 {
			out = append(out, &unstructured.Unstructured{Object: m})
		}
	}
	return out
}

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/releaseutil"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// helmController is the username of Flux's helm-controller, the sync identity
// of what charts render.
const helmController = "system:serviceaccount:flux-system:helm-controller"

// fluxCRDs are minimal HelmRelease and HelmRepository CRDs, so that the kinds exist.
const fluxCRDs = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: helmreleases.helm.toolkit.fluxcd.io
spec:
  group: helm.toolkit.fluxcd.io
  names: {kind: HelmRelease, plural: helmreleases, singular: helmrelease, listKind: HelmReleaseList}
  scope: Namespaced
  versions:
    - name: v2
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: helmrepositories.source.toolkit.fluxcd.io
spec:
  group: source.toolkit.fluxcd.io
  names: {kind: HelmRepository, plural: helmrepositories, singular: helmrepository, listKind: HelmRepositoryList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`

// asHelmController grants helm-controller's ServiceAccount cluster-admin (as
// Flux's install does), installs the HelmRelease and HelmRepository CRDs, and returns Helm's action
// configuration for namespace ns that impersonates helm-controller.
func asHelmController(t *testing.T, ns string) *action.Configuration {
	t.Helper()
	crb := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "e2e-helm-controller"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "helm-controller", Namespace: "flux-system"}}}
	if err := cp.Client.Create(t.Context(), crb); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	crd := filepath.Join(t.TempDir(), "flux-crds.yaml")
	if err := os.WriteFile(crd, []byte(fluxCRDs), 0o644); err != nil {
		t.Fatal(err)
	}
	mustKubectl(t, cp.Admin, "apply", "-f", crd)
	mustKubectl(t, cp.Admin, "wait", "--for=condition=Established", "--timeout=60s",
		"crd/helmreleases.helm.toolkit.fluxcd.io", "crd/helmrepositories.source.toolkit.fluxcd.io")
	user, kubeconfig, namespace := helmController, cp.Admin, ns
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig, flags.Impersonate, flags.Namespace = &kubeconfig, &user, &namespace
	cfg := new(action.Configuration)
	if err := cfg.Init(flags, ns, "secret", func(string, ...any) {}); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// helmRelease installs (or, once installed, upgrades) the chart at dir (a
// folder or an archive) as
// helm-controller would for the HelmRelease ns/name: release name = name,
// helm-controller's origin labels added by its post-renderer.
func helmRelease(ctx context.Context, cfg *action.Configuration, dir, ns, name string, values map[string]any) error {
	c, err := loader.Load(dir)
	if err != nil {
		return err
	}
	labels := fluxLabels{name: name, namespace: ns}
	if _, err := action.NewHistory(cfg).Run(name); err != nil {
		install := action.NewInstall(cfg)
		install.ReleaseName, install.Namespace, install.PostRenderer = name, ns, labels
		_, err = install.RunWithContext(ctx, c, values)
		return err
	}
	upgrade := action.NewUpgrade(cfg)
	upgrade.Namespace, upgrade.PostRenderer = ns, labels
	_, err = upgrade.RunWithContext(ctx, name, c, values)
	return err
}

// fluxLabels is helm-controller's origin-labels post-renderer.
type fluxLabels struct{ name, namespace string }

func (f fluxLabels) Run(in *bytes.Buffer) (*bytes.Buffer, error) {
	var out bytes.Buffer
	for _, doc := range releaseutil.SplitManifests(in.String()) {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj == nil {
			continue
		}
		meta, _ := obj["metadata"].(map[string]any)
		labels, _ := meta["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
			meta["labels"] = labels
		}
		labels["helm.toolkit.fluxcd.io/name"], labels["helm.toolkit.fluxcd.io/namespace"] = f.name, f.namespace
		data, err := yaml.Marshal(obj)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&out, "---\n%s", data)
	}
	return &out, nil
}

// governNamespace registers g's webhook for namespace ns alone and waits until
// it takes effect: a human may not create the rendered ConfigMap configMap.
func governNamespace(t *testing.T, g *cluster.Gitgate, ns, configMap string) {
	t.Helper()
	registerWebhook(t, g, "gitgate-"+ns, func(w *admissionregistrationv1.ValidatingWebhook) {
		w.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": ns}}
	})
	eventually(t, 20*time.Second, func() string {
		out, ok := kubectl(t, cp.Admin, "-n", ns, "create", "configmap", configMap, "--from-literal=color=pink")
		if ok {
			kubectl(t, cp.Admin, "-n", ns, "delete", "configmap", configMap)
			return "a human created a rendered object: the webhook is not called yet"
		}
		if !strings.Contains(out, "denied the request") {
			return "unexpected failure: " + out
		}
		return ""
	})
}

// lineOf returns the 1-based line of the first line of text containing s.
func lineOf(t *testing.T, text, s string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("no line contains %q", s)
	return 0
}

package apply_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
)

func TestApplyDryRunCreatesNothing(t *testing.T) {
	ns := uniqueName(t)
	dry := newApplier(t, ns, func(o *apply.Options) { o.DryRun = true })
	files := fixture(t, ns, "a-widget", "crd", "namespace", "configmap", "deployment")

	res, err := dry.Apply(logged(t), snapshot(t, "c1", files))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Counts()[apply.ActionWouldCreate]; got != 5 || !res.DryRun {
		t.Errorf("dry run on an empty cluster: %v, want 5 would-create", actions(res))
	}
	cmKey := gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "settings"}
	if got := diffPaths(result(t, res, cmKey)); !cmp.Equal(got, []string{"data.extra", "data.greeting", `metadata.labels["gitgate.dev/managed"]`, "metadata.name", "metadata.namespace"}) {
		t.Errorf("would-create diff = %v", got)
	}
	if live(t, "v1", gitindex.Key{Kind: "Namespace", Name: ns}) != nil {
		t.Fatal("dry run created the namespace")
	}
	err = cluster(t).Get(t.Context(), client.ObjectKey{Namespace: apply.DefaultInventoryNamespace, Name: ns}, &corev1.ConfigMap{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("dry run wrote the inventory: %v", err)
	}
}

func TestApplyDryRunConfiguresAndPrunes(t *testing.T) {
	ns := uniqueName(t)
	c := cluster(t)
	dry := newApplier(t, ns, func(o *apply.Options) { o.DryRun = true })
	files := fixture(t, ns, "namespace", "configmap", "deployment")
	cmKey := gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "settings"}
	if _, err := newApplier(t, ns, nil).Apply(t.Context(), snapshot(t, "c1", files)); err != nil {
		t.Fatal(err)
	}
	cm := live(t, "v1", cmKey)
	set(t, cm, "hacked", "data", "greeting")
	if err := c.Update(t.Context(), cm); err != nil {
		t.Fatal(err)
	}
	delete(files, "deployment.yaml")
	res, err := dry.Apply(t.Context(), snapshot(t, "c2", files))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"unchanged Namespace " + ns,
		"would-configure ConfigMap " + ns + "/settings",
		"would-prune Deployment.apps " + ns + "/web",
	}
	if diff := cmp.Diff(want, actions(res)); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if ch := result(t, res, cmKey).Diff; len(ch) != 1 || ch[0].Path != "data.greeting" || ch[0].Git != "hello" || ch[0].New != "hacked" {
		t.Errorf("would-configure diff = %+v, want data.greeting hacked → hello", ch)
	}
	if live(t, "v1", cmKey).Object["data"].(map[string]any)["greeting"] != "hacked" {
		t.Error("dry run repaired the ConfigMap")
	}
	if live(t, "apps/v1", gitindex.Key{Group: "apps", Kind: "Deployment", Namespace: ns, Name: "web"}) == nil {
		t.Error("dry run pruned the Deployment")
	}
}

package apply_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
)

// What someone other than the applier adds to a declared object (an env var, a
// label, hostPID) is removed by the next Apply, which server-side apply alone
// never does; the object is then left alone.
func TestApplyHealsExtras(t *testing.T) {
	ns := uniqueName(t)
	c := cluster(t)
	a := newApplier(t, ns, nil)
	files := fixture(t, ns, "namespace", "configmap", "deployment")
	if _, err := a.Apply(t.Context(), snapshot(t, "c1", files)); err != nil {
		t.Fatal(err)
	}
	cmKey := gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "settings"}
	deployKey := gitindex.Key{Group: "apps", Kind: "Deployment", Namespace: ns, Name: "web"}
	extras := []struct {
		key        gitindex.Key
		apiVersion string
		manager    string
		patch      string
	}{
		{key: deployKey, apiVersion: "apps/v1", manager: "kubectl-set",
			patch: `{"spec":{"template":{"spec":{"hostPID":true,"containers":[{"name":"nginx","env":[{"name":"LEAK","value":"1"}]}]}}}}`},
		{key: cmKey, apiVersion: "v1", manager: "kubectl-label", patch: `{"metadata":{"labels":{"team":"red"}},"data":{"leak":"x"}}`},
	}
	for _, e := range extras {
		p := client.RawPatch("application/strategic-merge-patch+json", []byte(e.patch))
		if err := c.Patch(t.Context(), live(t, e.apiVersion, e.key), p, client.FieldOwner(e.manager)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := a.Apply(t.Context(), snapshot(t, "c1", files))
	if err != nil {
		t.Fatal(err)
	}
	if got := diffPaths(result(t, res, deployKey)); !cmp.Equal(got, []string{"spec.template.spec.containers[name=nginx].env", "spec.template.spec.hostPID"}) {
		t.Errorf("Deployment repaired %v", got)
	}
	if got := diffPaths(result(t, res, cmKey)); !cmp.Equal(got, []string{"data.leak", "metadata.labels.team"}) {
		t.Errorf("ConfigMap repaired %v", got)
	}
	spec := live(t, "apps/v1", deployKey).Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	if spec["hostPID"] != nil || spec["containers"].([]any)[0].(map[string]any)["env"] != nil {
		t.Errorf("extras left on the Deployment: %v", spec)
	}
	cm := live(t, "v1", cmKey).Object
	if cm["data"].(map[string]any)["leak"] != nil || cm["metadata"].(map[string]any)["labels"].(map[string]any)["team"] != nil {
		t.Errorf("extras left on the ConfigMap: %v", cm)
	}
	res, err = a.Apply(t.Context(), snapshot(t, "c1", files))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []gitindex.Key{deployKey, cmKey} {
		if got := result(t, res, k); got.Action != apply.ActionUnchanged {
			t.Errorf("%s after the heal: %s %v, want unchanged", k, got.Action, diffPaths(got))
		}
	}
}

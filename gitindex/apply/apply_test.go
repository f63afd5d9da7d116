package apply_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
)

func TestApplyStagedThenUnchanged(t *testing.T) {
	ns := uniqueName(t)
	reg := prometheus.NewRegistry()
	metrics, err := apply.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	a := newApplier(t, ns, func(o *apply.Options) { o.Metrics = metrics })
	snap := snapshot(t, "c0ffee0001", fixture(t, ns, "a-widget", "crd", "configmap", "deployment", "namespace"))

	res, err := a.Apply(logged(t), snap)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ // CRD, wait, Namespace, then the rest in path order
		"created CustomResourceDefinition.apiextensions.k8s.io widgets." + ns + ".example.com",
		"created Namespace " + ns,
		"created Widget." + ns + ".example.com " + ns + "/gizmo",
		"created ConfigMap " + ns + "/settings",
		"created Deployment.apps " + ns + "/web",
	}
	if diff := cmp.Diff(want, actions(res)); diff != "" {
		t.Fatalf("first apply (-want +got):\n%s", diff)
	}
	checkStatuses(t, res)
	cm := live(t, "v1", gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "settings"})
	if cm.GetLabels()[vocab.ManagedLabel] != "true" {
		t.Errorf("labels = %v, want %s", cm.GetLabels(), vocab.ManagedLabel)
	}
	if got := readInventory(t, ns); len(got) != 5 {
		t.Errorf("inventory = %v, want the 5 objects", got)
	}
	if v := gauge(t, reg, "gitgate_apply_objects", "action", "created"); v != 5 {
		t.Errorf("gitgate_apply_objects{action=created} = %v, want 5", v)
	}
	if v := gauge(t, reg, "gitgate_apply_commit_info", "commit", "c0ffee0001"); v != 1 {
		t.Errorf("gitgate_apply_commit_info = %v, want 1", v)
	}

	before := resourceVersions(t, snap)
	if res, err = a.Apply(logged(t), snap); err != nil {
		t.Fatal(err)
	}
	if got := res.Counts()[apply.ActionUnchanged]; got != 5 {
		t.Errorf("second apply: %v, want all unchanged", actions(res))
	}
	if diff := cmp.Diff(before, resourceVersions(t, snap)); diff != "" {
		t.Errorf("second apply changed resourceVersions (-before +after):\n%s", diff)
	}
	if v := gauge(t, reg, "gitgate_apply_last_success_timestamp_seconds", "", ""); v == 0 {
		t.Error("gitgate_apply_last_success_timestamp_seconds not set")
	}
}

// checkStatuses checks the kstatus of the objects of the staged fixture.
func checkStatuses(t *testing.T, res *apply.Result) {
	t.Helper()
	got := map[string]string{}
	for _, o := range res.Objects {
		got[o.Key.Kind] = o.Status
	}
	want := map[string]string{ // no controllers run: the Deployment never rolls out
		"CustomResourceDefinition": "Current", "Namespace": "Current", "Widget": "Current",
		"ConfigMap": "Current", "Deployment": "InProgress",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kstatus (-want +got):\n%s", diff)
	}
}

func TestApplySelfHeals(t *testing.T) {
	ns := uniqueName(t)
	c := cluster(t)
	a := newApplier(t, ns, nil)
	files := fixture(t, ns, "namespace", "configmap", "deployment")
	if _, err := a.Apply(t.Context(), snapshot(t, "c1", files)); err != nil {
		t.Fatal(err)
	}
	cmKey := gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "settings"}
	deployKey := gitindex.Key{Group: "apps", Kind: "Deployment", Namespace: ns, Name: "web"}

	// Someone edits a declared field of each (a human, another controller).
	cm := live(t, "v1", cmKey)
	set(t, cm, "hacked", "data", "greeting")
	if err := c.Update(t.Context(), cm, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	scale := client.RawPatch("application/merge-patch+json", []byte(`{"spec":{"replicas":5}}`))
	if err := c.Patch(t.Context(), live(t, "apps/v1", deployKey), scale, client.FieldOwner("kubectl-scale")); err != nil {
		t.Fatal(err)
	}

	res, err := a.Apply(t.Context(), snapshot(t, "c1", files))
	if err != nil {
		t.Fatal(err)
	}
	if got := result(t, res, cmKey); got.Action != apply.ActionConfigured || !cmp.Equal(diffPaths(got), []string{"data.greeting"}) {
		t.Errorf("ConfigMap: %s %v, want configured [data.greeting]", got.Action, diffPaths(got))
	}
	if got := result(t, res, deployKey); got.Action != apply.ActionConfigured || !cmp.Equal(diffPaths(got), []string{"spec.replicas"}) {
		t.Errorf("Deployment: %s %v, want configured [spec.replicas]", got.Action, diffPaths(got))
	}
	if v := live(t, "v1", cmKey).Object["data"].(map[string]any)["greeting"]; v != "hello" {
		t.Errorf("greeting = %v after self-heal, want hello", v)
	}
	if v := live(t, "apps/v1", deployKey).Object["spec"].(map[string]any)["replicas"]; v != int64(2) {
		t.Errorf("replicas = %v after self-heal, want 2", v)
	}

	// git drops a field: the comparison cannot see it, git's hash can.
	files["configmap.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: " + ns + "}\ndata: {greeting: hello}\n"
	res, err = a.Apply(t.Context(), snapshot(t, "c2", files))
	if err != nil {
		t.Fatal(err)
	}
	if got := result(t, res, cmKey); got.Action != apply.ActionConfigured {
		t.Errorf("ConfigMap after git removed a key: %s, want configured", got.Action)
	}
	if data := live(t, "v1", cmKey).Object["data"].(map[string]any); data["extra"] != nil {
		t.Errorf("data = %v, want the key removed from git gone", data)
	}
}

func TestApplyCreateOnly(t *testing.T) {
	ns := uniqueName(t)
	c := cluster(t)
	a := newApplier(t, ns, nil)
	cmYAML := func(v string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: seed\n  namespace: " + ns +
			"\n  annotations: {gitgate.dev/apply: create-only}\ndata: {value: \"" + v + "\"}\n"
	}
	files := fixture(t, ns, "namespace")
	files["seed.yaml"] = cmYAML("1")
	key := gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "seed"}
	res, err := a.Apply(t.Context(), snapshot(t, "c1", files))
	if err != nil || result(t, res, key).Action != apply.ActionCreated {
		t.Fatalf("first apply: %v, %v", actions(res), err)
	}
	cm := live(t, "v1", key)
	set(t, cm, "2", "data", "value")
	if err := c.Update(t.Context(), cm); err != nil {
		t.Fatal(err)
	}
	files["seed.yaml"] = cmYAML("3")
	res, err = a.Apply(t.Context(), snapshot(t, "c2", files))
	if err != nil {
		t.Fatal(err)
	}
	if got := result(t, res, key).Action; got != apply.ActionSkipped {
		t.Errorf("create-only object: %s, want skipped", got)
	}
	if v := live(t, "v1", key).Object["data"].(map[string]any)["value"]; v != "2" {
		t.Errorf("value = %v, want the live 2 kept", v)
	}
}

func TestApplyPartialFailure(t *testing.T) {
	ns := uniqueName(t)
	reg := prometheus.NewRegistry()
	metrics, _ := apply.NewMetrics(reg)
	a := newApplier(t, ns, func(o *apply.Options) { o.Metrics = metrics })
	files := fixture(t, ns, "namespace", "configmap")
	files["bad.yaml"] = "apiVersion: v1\nkind: Service\nmetadata: {name: bad, namespace: " + ns + "}\nspec:\n  ports: [{port: 99999}]\n"
	res, err := a.Apply(t.Context(), snapshot(t, "c1", files))
	var ae *apply.ApplyError
	if !errors.As(err, &ae) || len(ae.Failed) != 1 || ae.Failed[0].Key.Name != "bad" {
		t.Fatalf("err = %v, want an *ApplyError with the Service", err)
	}
	if !apierrors.IsInvalid(err) {
		t.Errorf("err = %v, want it to unwrap to the API server's Invalid", err)
	}
	if got := result(t, res, gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "settings"}).Action; got != apply.ActionCreated {
		t.Errorf("ConfigMap: %s, want created despite the failing Service", got)
	}
	if v := gauge(t, reg, "gitgate_apply_errors_total", "", ""); v != 1 {
		t.Errorf("gitgate_apply_errors_total = %v, want 1", v)
	}
	if v := gauge(t, reg, "gitgate_apply_last_success_timestamp_seconds", "", ""); v != 0 {
		t.Errorf("last success = %v after a failed apply, want 0", v)
	}
}

func TestApplyRefusesEmptySnapshot(t *testing.T) {
	a := newApplier(t, uniqueName(t), nil)
	if _, err := a.Apply(t.Context(), snapshot(t, "c1", nil)); !errors.Is(err, gitindex.ErrNoObjects) {
		t.Errorf("err = %v, want ErrNoObjects", err)
	}
	if _, err := a.Apply(t.Context(), nil); !errors.Is(err, apply.ErrNoSnapshot) {
		t.Errorf("err = %v, want ErrNoSnapshot", err)
	}
}

// getInventory reads an inventory ConfigMap.
func getInventory(t *testing.T, name string) (apply.Inventory, *corev1.ConfigMap) {
	t.Helper()
	var cm corev1.ConfigMap
	if err := cluster(t).Get(t.Context(), client.ObjectKey{Namespace: apply.DefaultInventoryNamespace, Name: name}, &cm); err != nil {
		t.Fatal(err)
	}
	var inv apply.Inventory
	if err := json.Unmarshal([]byte(cm.Data[apply.InventoryKey]), &inv); err != nil {
		t.Fatal(err)
	}
	return inv, &cm
}

// gauge returns the value of a gauge or counter (with one label, or none).
func gauge(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" || hasLabel(m, label, value) {
				return m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}

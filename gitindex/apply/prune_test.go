package apply_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

func configMap(ns, name, annotations string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
		"\n  annotations: {" + annotations + "}\ndata: {k: v}\n"
}

func TestApplyPrunes(t *testing.T) {
	ns := uniqueName(t)
	c := cluster(t)
	a := newApplier(t, ns, nil)
	files := fixture(t, ns, "namespace")
	files["gone.yaml"] = configMap(ns, "gone", "")
	files["kept.yaml"] = configMap(ns, "kept", "gitgate.dev/prune: disabled")
	files["stays.yaml"] = configMap(ns, "stays", "")
	if _, err := a.Apply(t.Context(), snapshot(t, "c1", files)); err != nil {
		t.Fatal(err)
	}
	// An object gitgate never applied, listed in a hand-edited inventory.
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "foreign"}}
	if err := c.Create(t.Context(), foreign); err != nil {
		t.Fatal(err)
	}
	inv, cm := getInventory(t, ns)
	inv.Objects = append(inv.Objects, apply.InventoryEntry{Kind: "ConfigMap", Namespace: ns, Name: "foreign", APIVersion: "v1"})
	b, _ := json.Marshal(inv)
	cm.Data[apply.InventoryKey] = string(b)
	if err := c.Update(t.Context(), cm); err != nil {
		t.Fatal(err)
	}

	delete(files, "gone.yaml")
	delete(files, "kept.yaml")
	res, err := a.Apply(t.Context(), snapshot(t, "c2", files))
	if err != nil {
		t.Fatal(err)
	}
	gone := gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "gone"}
	if diff := cmp.Diff([]gitindex.Key{gone}, res.Pruned); diff != "" {
		t.Errorf("pruned (-want +got):\n%s", diff)
	}
	if result(t, res, gone).Action != apply.ActionPruned {
		t.Errorf("results %v, want gone pruned", actions(res))
	}
	for name, want := range map[string]bool{"gone": false, "kept": true, "foreign": true, "stays": true} {
		if got := live(t, "v1", gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: name}) != nil; got != want {
			t.Errorf("ConfigMap %s exists = %v, want %v", name, got, want)
		}
	}
	want := []string{"ConfigMap " + ns + "/stays", "Namespace " + ns}
	if diff := cmp.Diff(want, readInventory(t, ns)); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
}

func TestApplyRetriesFailedPrune(t *testing.T) {
	ns := uniqueName(t)
	files := fixture(t, ns, "namespace")
	files["gone.yaml"] = configMap(ns, "gone", "")
	if _, err := newApplier(t, ns, nil).Apply(t.Context(), snapshot(t, "c1", files)); err != nil {
		t.Fatal(err)
	}
	delete(files, "gone.yaml")
	denied := errors.New("delete denied")
	failing := interceptor.NewClient(cluster(t), interceptor.Funcs{
		Delete: func(context.Context, client.WithWatch, client.Object, ...client.DeleteOption) error { return denied },
	})
	opts := apply.DefaultOptions()
	opts.Comparer = drift.New(drift.NewBuiltinSchemas())
	opts.InventoryName = ns
	a, err := apply.New(failing, opts)
	if err != nil {
		t.Fatal(err)
	}
	gone := gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "gone"}
	res, err := a.Apply(t.Context(), snapshot(t, "c2", files))
	if !errors.Is(err, denied) || result(t, res, gone).Action != apply.ActionFailed {
		t.Fatalf("err = %v, results %v; want the delete failure", err, actions(res))
	}
	if inv := readInventory(t, ns); !cmp.Equal(inv, []string{"ConfigMap " + ns + "/gone", "Namespace " + ns}) {
		t.Errorf("inventory after a failed delete = %v, want gone kept for a retry", inv)
	}
	res, err = newApplier(t, ns, nil).Apply(t.Context(), snapshot(t, "c2", files))
	if err != nil || !cmp.Equal(res.Pruned, []gitindex.Key{gone}) {
		t.Errorf("retry: pruned %v, err %v; want gone pruned", res.Pruned, err)
	}
}

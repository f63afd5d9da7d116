package revision

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.gitgate.dev}
spec:
  group: example.gitgate.dev
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              parts:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
`

const widget = `apiVersion: example.gitgate.dev/v1
kind: Widget
metadata: {name: w1, namespace: staging}
spec:
  parts: [{name: bolt}, {name: nut}]
`

var (
	widgetGVK = schema.GroupVersionKind{Group: "example.gitgate.dev", Version: "v1", Kind: "Widget"}
	// crdGVK is not a built-in schema either (client-go does not carry
	// apiextensions); a cluster serves it.
	crdGVK = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}
)

func snapshot(t *testing.T, files map[string]string) *gitindex.Snapshot {
	t.Helper()
	var fs []gitindex.File
	for p, data := range files {
		fs = append(fs, gitindex.File{Path: p, Data: []byte(data)})
	}
	snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", fs, gitindex.BuildOptions{Repo: "repo", DefaultNamespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// reorderedDrifts reports whether the revision sees the widget's parts in
// another order as drift: only without the CRD's schema (list-map keys) does it.
func reorderedDrifts(t *testing.T, rev *Revision) bool {
	t.Helper()
	o, ok := rev.Snapshot.Lookup(gitindex.Key{Group: widgetGVK.Group, Kind: widgetGVK.Kind, Namespace: "staging", Name: "w1"})
	if !ok {
		t.Fatal("widget not in the snapshot")
	}
	live := drift.DeepCopyMap(o.Object)
	live["spec"] = map[string]any{"parts": []any{map[string]any{"name": "nut"}, map[string]any{"name": "bolt"}}}
	return len(rev.Comparer.Against(live, rev.Comparer.DesiredOf(o))) > 0
}

// lateSchemas is a cluster whose Widget schema is served only once arrived.
type lateSchemas struct {
	arrived atomic.Bool
	calls   atomic.Int32
}

func (l *lateSchemas) Resolve(_ context.Context, _ *gitindex.Snapshot, gvks []schema.GroupVersionKind) drift.SchemaSet {
	l.calls.Add(1)
	if !l.arrived.Load() {
		return nil
	}
	return drift.NewCRDSchemas(snapshotCRDs(widgetCRD))
}

func snapshotCRDs(docs ...string) []map[string]any {
	var out []map[string]any
	for _, d := range docs {
		files := []gitindex.File{{Path: "crd.yaml", Data: []byte(d)}}
		snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", files, gitindex.BuildOptions{})
		if err != nil {
			panic(err)
		}
		out = append(out, snap.CRDs()...)
	}
	return out
}

func TestNewResolvesSchemasOnce(t *testing.T) {
	arrived := &lateSchemas{}
	arrived.arrived.Store(true)
	tests := []struct {
		name        string
		files       map[string]string
		schemas     SchemaSource
		wantMissing []schema.GroupVersionKind
		wantDrift   bool
	}{
		{name: "the commit's CRD (check's default)", files: map[string]string{"crd.yaml": widgetCRD, "w.yaml": widget},
			wantMissing: []schema.GroupVersionKind{crdGVK}},
		{name: "no CRD anywhere: structural", files: map[string]string{"w.yaml": widget},
			wantMissing: []schema.GroupVersionKind{widgetGVK}, wantDrift: true},
		{name: "not served by the cluster yet", files: map[string]string{"crd.yaml": widgetCRD, "w.yaml": widget}, schemas: &lateSchemas{},
			wantMissing: []schema.GroupVersionKind{crdGVK, widgetGVK}, wantDrift: true},
		{name: "served by the cluster", files: map[string]string{"w.yaml": widget}, schemas: arrived},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rev, err := New(t.Context(), snapshot(t, tt.files), Options{Schemas: tt.schemas})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantMissing, rev.MissingSchemas()); diff != "" {
				t.Errorf("missing schemas (-want +got):\n%s", diff)
			}
			if got := reorderedDrifts(t, rev); got != tt.wantDrift {
				t.Errorf("reordered list-map drifts: %t, want %t", got, tt.wantDrift)
			}
		})
	}
}

// A revision never changes how it judges; Refresh builds a new one of the same
// commit once the missing schema is served.
func TestRefresh(t *testing.T) {
	src := &lateSchemas{}
	rev, err := New(t.Context(), snapshot(t, map[string]string{"w.yaml": widget}), Options{Schemas: src})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Refresh(t.Context(), rev, Options{Schemas: src}); ok {
		t.Fatal("Refresh reported a new revision while no schema arrived")
	}
	src.arrived.Store(true)
	next, ok := Refresh(t.Context(), rev, Options{Schemas: src})
	if !ok {
		t.Fatal("Refresh reported no new revision after the schema arrived")
	}
	if next.Snapshot != rev.Snapshot || next.Policy != rev.Policy {
		t.Error("a refreshed revision must keep the commit's snapshot and compiled policy")
	}
	if !reorderedDrifts(t, rev) || reorderedDrifts(t, next) {
		t.Errorf("want the old revision structural and the new one keyed: old drifts %t, new drifts %t", reorderedDrifts(t, rev), reorderedDrifts(t, next))
	}
	calls := src.calls.Load()
	if again, ok := Refresh(t.Context(), next, Options{Schemas: src}); ok || again != next || src.calls.Load() != calls {
		t.Error("a revision missing nothing must not be refreshed nor ask for schemas")
	}
}

func TestNewRejectsBrokenPolicy(t *testing.T) {
	snap := snapshot(t, map[string]string{"policies/x.rego": "package gitgate\nthis is not rego"})
	_, err := New(t.Context(), snap, Options{})
	if err == nil || !strings.Contains(err.Error(), "compile policy at 0123456") {
		t.Fatalf("New = %v, want a policy compile error naming the commit", err)
	}
}

// In Flux rendering mode a tenant's scope is what its Kustomization applies
// (the owner labels Flux's renderer sets), also objects of a base outside its
// spec.path; without the labels it is the files under spec.path.
func TestTenantsFollowFluxOwnerLabels(t *testing.T) {
	const ks = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: team-a, namespace: apps}
spec: {path: ./apps/team-a, serviceAccountName: deployer, sourceRef: {kind: GitRepository, name: flux-system}}
`
	labelled := func(name string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: apps\n  labels:\n" +
			"    kustomize.toolkit.fluxcd.io/name: team-a\n    kustomize.toolkit.fluxcd.io/namespace: apps\n"
	}
	files := []gitindex.File{
		{Path: "clusters/apps.yaml", Data: []byte(ks)},
		{Path: "bases/shared/cm.yaml", Data: []byte(labelled("from-base"))},
		{Path: "apps/team-a/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: in-path, namespace: apps}\n")},
		{Path: "apps/team-b/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: apps}\n")},
	}
	snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", files, gitindex.BuildOptions{Repo: "repo"})
	if err != nil {
		t.Fatal(err)
	}
	tenants := deriveTenants(snap)
	const user = "system:serviceaccount:apps:deployer"
	for _, tt := range []struct {
		name string
		want bool
	}{{name: "from-base", want: true}, {name: "in-path", want: true}, {name: "elsewhere", want: false}} {
		_, got := tenants.Scope(user, gitindex.Key{Kind: "ConfigMap", Namespace: "apps", Name: tt.name})
		if got != tt.want {
			t.Errorf("Scope(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

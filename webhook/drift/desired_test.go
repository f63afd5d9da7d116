package drift

import (
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// lateSchemas knows the built-in kinds, and Widget's schema (Deployment's, for
// its defaults) only once arrived is set: a CRD's schema fetched after the
// revision loaded.
type lateSchemas struct {
	builtin *BuiltinSchemas
	arrived atomic.Bool
}

func (l *lateSchemas) Type(gvk schema.GroupVersionKind) Type {
	if gvk.Kind == "Widget" {
		if !l.arrived.Load() {
			return Type{}
		}
		gvk = deployGVK
	}
	return l.builtin.Type(gvk)
}

func TestDesiredPerRevision(t *testing.T) {
	files := []gitindex.File{
		{Path: "k8s/deploy.yaml", Data: []byte(gitDeploy)},
		{Path: "k8s/widget.yaml", Data: []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: a}\nspec: {template: {spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}}}\n")},
	}
	snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", files, gitindex.BuildOptions{Repo: "repo"})
	if err != nil {
		t.Fatal(err)
	}
	objs := snap.Objects()
	schemas := &lateSchemas{builtin: NewBuiltinSchemas()}
	c := New(schemas)
	c.Prepare(objs)
	first := c.DesiredOf(objs[0])
	tests := []struct {
		name string
		got  any
		want any
	}{
		{name: "defaults filled in", got: first.Object["spec"].(map[string]any)["revisionHistoryLimit"], want: int64(10)},
		{name: "git's object untouched", got: objs[0].Object["spec"].(map[string]any)["revisionHistoryLimit"], want: nil},
		{name: "cached: the same desired state", got: c.DesiredOf(objs[0]) == first, want: true},
		{name: "kept by a revision sharing the object", got: func() bool { c.Prepare(objs); return c.DesiredOf(objs[0]) == first }(), want: true},
		{name: "no schema yet: no schema defaults", got: widgetPort(c.DesiredOf(objs[1]))["protocol"], want: nil},
		{name: "recomputed once the schema arrived", got: func() any {
			schemas.arrived.Store(true)
			return widgetPort(c.DesiredOf(objs[1]))["protocol"]
		}(), want: "TCP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func widgetPort(d *Desired) map[string]any {
	return container(d.Object)["ports"].([]any)[0].(map[string]any)
}

package drift

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIdentityMetadataRules has one row per rule for ownerReferences and
// finalizers, a declared object's identity (who may delete it, what holds its
// deletion): a change toward git is a repair; adding one git does not declare
// is not, and neither is removing one git does not declare (unlike other
// extras, whose removal is a repair). want lists the changes that are not
// repairs.
func TestIdentityMetadataRules(t *testing.T) {
	c := New(NewBuiltinSchemas())
	const (
		bare   = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n"
		owner  = "{apiVersion: v1, kind: ConfigMap, name: parent, uid: u1}"
		owner2 = "{apiVersion: v1, kind: ConfigMap, name: other, uid: u2}"
	)
	with := func(meta string) string { return edit(bare, "namespace: a}", "namespace: a, "+meta+"}") }
	tests := []struct {
		name          string
		git, old, new string
		want          []string
	}{
		{name: "adding an undeclared finalizer", git: bare, old: bare, new: with("finalizers: [x/hold]"), want: []string{"metadata.finalizers"}},
		{name: "removing an undeclared finalizer", git: bare, old: with("finalizers: [x/hold]"), new: bare, want: []string{"metadata.finalizers"}},
		{name: "removing a declared finalizer", git: with("finalizers: [x/hold]"), old: with("finalizers: [x/hold]"), new: bare, want: []string{"metadata.finalizers"}},
		{name: "restoring a declared finalizer", git: with("finalizers: [x/hold]"), old: bare, new: with("finalizers: [x/hold]")},
		{name: "reordering declared finalizers is no change", git: with("finalizers: [x/a, x/b]"), old: with("finalizers: [x/a, x/b]"), new: with("finalizers: [x/b, x/a]")},
		{name: "adding an undeclared owner", git: bare, old: bare, new: with("ownerReferences: [" + owner + "]"),
			want: []string{"metadata.ownerReferences[uid=u1]"}},
		{name: "removing an undeclared owner", git: bare, old: with("ownerReferences: [" + owner + "]"), new: bare,
			want: []string{"metadata.ownerReferences[uid=u1]"}},
		{name: "restoring a declared owner", git: with("ownerReferences: [" + owner + "]"), old: bare, new: with("ownerReferences: [" + owner + "]")},
		{name: "swapping a declared owner for another (an owner reference is atomic)", git: with("ownerReferences: [" + owner + "]"),
			old: with("ownerReferences: [" + owner + "]"), new: with("ownerReferences: [" + owner2 + "]"),
			want: []string{"metadata.ownerReferences[uid=u1]", "metadata.ownerReferences[uid=u2]"}},
		{name: "removing an undeclared label is a repair, for contrast", git: bare, old: with("labels: {team: x}"), new: bare},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Desire(cmGVK, obj(t, tt.git))
			var got []string
			for _, ch := range c.Diff(obj(t, tt.old), obj(t, tt.new), d) {
				if !ch.TowardGit() {
					got = append(got, ch.Path)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("non-repair changes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJudgedWithoutSchema: removing an undeclared owner or finalizer is judged
// whether the kind's schema is known (ownerReferences keyed by uid) or not (a
// custom resource before its schema arrived: lists compared whole).
func TestJudgedWithoutSchema(t *testing.T) {
	const bare = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n"
	tests := []struct {
		name     string
		comparer *Comparer
		old      string
	}{
		{name: "owner, schema known", comparer: New(NewBuiltinSchemas()), old: edit(bare, "namespace: a}", "namespace: a, ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: p, uid: u1}]}")},
		{name: "owner, no schema", comparer: New(nil), old: edit(bare, "namespace: a}", "namespace: a, ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: p, uid: u1}]}")},
		{name: "finalizer, schema known", comparer: New(NewBuiltinSchemas()), old: edit(bare, "namespace: a}", "namespace: a, finalizers: [x/hold]}")},
		{name: "finalizer, no schema", comparer: New(nil), old: edit(bare, "namespace: a}", "namespace: a, finalizers: [x/hold]}")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes := tt.comparer.Diff(obj(t, tt.old), obj(t, bare), tt.comparer.Desire(cmGVK, obj(t, bare)))
			if len(changes) == 0 {
				t.Fatal("Diff found no change")
			}
			for _, ch := range changes {
				if ch.TowardGit() {
					t.Errorf("%s: removing what git does not declare counted as a repair", ch.Path)
				}
			}
		})
	}
}

package drift

import (
	"strings"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// noise is the set of server-managed paths that are never compared.
var noise = map[string]bool{
	"apiVersion":                          true,
	"kind":                                true,
	"status":                              true,
	"metadata.resourceVersion":            true,
	"metadata.generation":                 true,
	"metadata.uid":                        true,
	"metadata.creationTimestamp":          true,
	"metadata.managedFields":              true,
	"metadata.selfLink":                   true,
	"metadata.deletionTimestamp":          true,
	"metadata.deletionGracePeriodSeconds": true,
	`metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]`: true,
}

// Noise reports whether a rendered path is server-managed and never compared.
func Noise(p string) bool { return noise[p] }

// judged are undeclared paths whose removal is not a repair: a controller's
// finalizer or owner reference is not a human's extra to take away.
var judged = map[string]bool{"metadata.finalizers": true, "metadata.ownerReferences": true}

// Comparer compares objects with git's desired state. It is safe for concurrent
// use; Prepare swaps its per-revision cache of desired objects atomically.
type Comparer struct {
	schemas Schemas
	desired atomic.Pointer[desiredSet]
}

// New returns a Comparer resolving schemas through s (nil: no schemas, every kind is
// compared structurally).
func New(s Schemas) *Comparer { return &Comparer{schemas: s} }

func (c *Comparer) typeOf(gvk schema.GroupVersionKind) Type {
	if c == nil || c.schemas == nil {
		return Type{}
	}
	return c.schemas.Type(gvk)
}

// Diff returns every path whose value differs between old and new (the Δ of an
// UPDATE), each annotated with whether git declares the path, the desired
// object's value (git's, or the default git leaves), and whether the change is a
// repair: it moves the path to its desired value, or removes what the desired
// object does not have. Changes are ordered by path within each map.
func (c *Comparer) Diff(old, new map[string]any, d *Desired) []Change {
	var w walker
	w.diff(c.typeOf(d.GVK).rootNode(), nil, asAny(old), asAny(new), asAny(d.Object), asAny(d.Git))
	return w.changes
}

// asAny keeps a nil map nil when converting to any.
func asAny(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

type walker struct {
	changes []Change
	own     *owners  // Against: who set obj's fields
	ptr     []string // Against: JSON pointer of the current position in obj
}

func (w *walker) diff(n node, p path, old, new, desired, git any) {
	if equalAs(n, old, new) && !(entriesAt(n, p) && !sameKeysAny(old, new)) {
		return
	}
	om, oldIsMap := old.(map[string]any)
	nm, newIsMap := new.(map[string]any)
	if (oldIsMap || newIsMap) && (oldIsMap || old == nil) && (newIsMap || new == nil) && !n.atomicMap() {
		if dm, ok := desired.(map[string]any); ok || desired == nil {
			gm, _ := git.(map[string]any)
			w.diffMap(n, p, om, nm, dm, gm)
			return
		}
	}
	if keys := n.listKeys(); len(keys) > 0 && isListOrNil(old) && isListOrNil(new) && isListOrNil(desired) {
		w.diffKeyed(n, keys, p, old, new, desired, git)
		return
	}
	w.changes = append(w.changes, Change{Path: p.String(), Declared: git != nil, Git: desired, Old: old, New: new,
		Repair: repair(n, p, desired, new)})
}

func (w *walker) diffMap(n node, p path, om, nm, dm, gm map[string]any) {
	entries := entriesAt(n, p)
	for _, k := range sortedKeys(om, nm) {
		cp := p.field(k)
		if len(cp) <= 3 && noise[cp.String()] {
			continue
		}
		ov, inOld := om[k]
		nv, inNew := nm[k]
		if entries && inOld != inNew {
			w.changes = append(w.changes, Change{Path: cp.String(), Declared: hasKey(gm, k), Git: presentValue(dm[k], hasKey(dm, k)),
				Old: presentValue(ov, inOld), New: presentValue(nv, inNew), Repair: entryRepair(n.field(k), dm, k, nv, inNew)})
			continue
		}
		w.diff(n.field(k), cp, ov, nv, dm[k], gm[k])
	}
}

func (w *walker) diffKeyed(n node, keys []string, p path, old, new, desired, git any) {
	e := n.elem()
	ol, _ := old.([]any)
	nl, _ := new.([]any)
	dl, _ := desired.([]any)
	gl, _ := git.([]any)
	oi, ni, di, gi := indexByKey(e, keys, ol), indexByKey(e, keys, nl), indexByKey(e, keys, dl), indexByKey(e, keys, gl)
	for _, k := range orderedKeys(e, keys, ol, nl) {
		w.diff(e, p.item(k), oi[k], ni[k], di[k], gi[k])
	}
}

// repair reports whether a change that leaves new at a path moves it toward the
// desired value: to the desired value itself, or away, when the desired object
// does not have the path (removing what someone else added).
func repair(n node, p path, desired, new any) bool {
	switch {
	case isAny(desired):
		return true
	case desired == nil:
		return new == nil && !judgedPath(p.String())
	}
	if m, ok := matchesOneOf(n, desired, new); ok {
		return m
	}
	return equalAs(n, desired, new)
}

// judgedPath reports whether p is a judged path or lies under one (an item of
// ownerReferences, which the schema keys by uid), so removing it is judged
// whether or not the kind's schema is known.
func judgedPath(p string) bool {
	for j := range judged {
		if p == j || strings.HasPrefix(p, j+"[") || strings.HasPrefix(p, j+".") {
			return true
		}
	}
	return false
}

// entryRepair is repair for a map entry added or removed, where absent is not "";
// e is the entry's node, so a quantity re-added as 500m repairs git's 0.5.
func entryRepair(e node, dm map[string]any, k string, nv any, inNew bool) bool {
	dv, inD := dm[k]
	return inD == inNew && (!inNew || equalAs(e, dv, nv))
}

// sameKeysAny is sameKeys for two values that may be maps.
func sameKeysAny(a, b any) bool {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	return sameKeys(am, bm)
}

// presentValue renders an entry for a Change: "" stays "", absent is nil.
func presentValue(v any, present bool) any {
	if present && v == nil {
		return ""
	}
	return v
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// entriesAt reports whether the map at p holds entries, where absent is not "":
// by schema, and always for labels and annotations (also of kinds without one).
func entriesAt(n node, p path) bool {
	if n.entries() {
		return true
	}
	return len(p) == 2 && p[0] == ".metadata" && (p[1] == ".labels" || p[1] == ".annotations")
}

func isListOrNil(v any) bool {
	_, ok := v.([]any)
	return ok || v == nil
}

// orderedKeys lists the item keys of two keyed lists: a's order, then b's new ones.
func orderedKeys(e node, keys []string, a, b []any) []string {
	seen := make(map[string]bool, len(a)+len(b))
	var out []string
	for _, l := range [][]any{a, b} {
		for _, it := range l {
			k := itemKey(e, keys, it)
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

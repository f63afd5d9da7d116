package drift

import (
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

// Comparer compares objects with git's declared state. It is immutable and safe for
// concurrent use.
type Comparer struct {
	schemas Schemas
}

// New returns a Comparer resolving schemas through s (nil: no schemas, every kind is
// compared structurally).
func New(s Schemas) *Comparer { return &Comparer{schemas: s} }

func (c *Comparer) root(gvk schema.GroupVersionKind) node {
	if c == nil || c.schemas == nil {
		return node{}
	}
	return c.schemas.Type(gvk).rootNode()
}

// Diff returns every path whose value differs between old and new (the Δ of an
// UPDATE), each annotated with whether git (desired, nil when unmanaged) declares
// it and git's value. Changes are ordered by path within each map.
func (c *Comparer) Diff(gvk schema.GroupVersionKind, old, new, desired map[string]any) []Change {
	var w walker
	w.diff(c.root(gvk), nil, asAny(old), asAny(new), asAny(desired))
	return w.changes
}

// Against returns every path git declares whose value in obj differs from git's (a
// CREATE, the drift scan, the applier's "already matches?"). Paths git does not
// declare are ignored. New holds obj's value; Old is nil.
func (c *Comparer) Against(gvk schema.GroupVersionKind, obj, desired map[string]any) []Change {
	var w walker
	w.against(c.root(gvk), nil, asAny(obj), asAny(desired))
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
}

func (w *walker) diff(n node, p path, old, new, desired any) {
	if equalAs(n, old, new) {
		return
	}
	om, oldIsMap := old.(map[string]any)
	nm, newIsMap := new.(map[string]any)
	if (oldIsMap || newIsMap) && (oldIsMap || old == nil) && (newIsMap || new == nil) && !n.atomicMap() {
		if dm, ok := desired.(map[string]any); ok || desired == nil {
			for _, k := range sortedKeys(om, nm) {
				cp := p.field(k)
				if len(cp) <= 3 && noise[cp.String()] {
					continue
				}
				w.diff(n.field(k), cp, om[k], nm[k], dm[k])
			}
			return
		}
	}
	if keys := n.listKeys(); len(keys) > 0 && isListOrNil(old) && isListOrNil(new) && isListOrNil(desired) {
		w.diffKeyed(n, keys, p, old, new, desired)
		return
	}
	w.changes = append(w.changes, Change{Path: p.String(), Declared: desired != nil, Git: desired, Old: old, New: new})
}

func (w *walker) diffKeyed(n node, keys []string, p path, old, new, desired any) {
	e := n.elem()
	ol, _ := old.([]any)
	nl, _ := new.([]any)
	dl, _ := desired.([]any)
	oi, ni, di := indexByKey(e, keys, ol), indexByKey(e, keys, nl), indexByKey(e, keys, dl)
	for _, k := range orderedKeys(e, keys, ol, nl) {
		w.diff(e, p.item(k), oi[k], ni[k], di[k])
	}
}

func (w *walker) against(n node, p path, obj, desired any) {
	if desired == nil {
		return
	}
	if dm, ok := desired.(map[string]any); ok && !n.atomicMap() {
		om, _ := obj.(map[string]any)
		if obj != nil && om == nil {
			w.changes = append(w.changes, Change{Path: p.String(), Declared: true, Git: desired, New: obj})
			return
		}
		for _, k := range sortedKeys(dm) {
			cp := p.field(k)
			if len(cp) <= 3 && noise[cp.String()] {
				continue
			}
			w.against(n.field(k), cp, om[k], dm[k])
		}
		return
	}
	if keys := n.listKeys(); len(keys) > 0 && isListOrNil(obj) && isListOrNil(desired) {
		e := n.elem()
		ol, _ := obj.([]any)
		dl, _ := desired.([]any)
		oi := indexByKey(e, keys, ol)
		for _, item := range dl {
			k := itemKey(e, keys, item)
			w.against(e, p.item(k), oi[k], item)
		}
		return
	}
	if !equalAs(n, obj, desired) {
		w.changes = append(w.changes, Change{Path: p.String(), Declared: true, Git: desired, New: obj})
	}
}

func isListOrNil(v any) bool {
	_, ok := v.([]any)
	return ok || v == nil
}

// orderedKeys lists the item keys of two keyed lists: old's order, then new ones.
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

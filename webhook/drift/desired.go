package drift

import (
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// Desired is a declared object's desired state: git's object as the API server
// would store it. It is immutable.
type Desired struct {
	GVK schema.GroupVersionKind
	// Git is the object as git declares it (shared with the snapshot).
	Git map[string]any
	// Object is Git with the API server's defaults filled in; values the server
	// or a controller assigns are Any.
	Object map[string]any
	// schemaKnown records whether the kind's schema was known when Object was
	// computed (a custom resource's schema may arrive later).
	schemaKnown bool
}

// Desire computes the desired state of git's object git of kind gvk: a deep copy
// with the built-in kinds' defaults and the schema's defaults applied. It is pure
// CPU, but not free: Prepare caches it per revision, off the request path.
func (c *Comparer) Desire(gvk schema.GroupVersionKind, git map[string]any) *Desired {
	t := c.typeOf(gvk)
	obj := DeepCopyMap(git)
	defaultKind(gvk.GroupKind(), obj)
	if t.Known() {
		schemaDefaults(t.rootNode(), obj)
	}
	return &Desired{GVK: gvk, Git: git, Object: obj, schemaKnown: t.Known()}
}

// desiredSet caches the desired states of one revision's objects.
type desiredSet struct {
	m sync.Map // *gitindex.Object → *Desired
}

// Prepare computes the desired state of every object and publishes them in one
// swap, reusing what the previous revision computed for the objects it shares
// (gitindex keeps unchanged objects across snapshots). Call it off the request
// path, before the revision is served.
func (c *Comparer) Prepare(objs []*gitindex.Object) {
	prev := c.desired.Load()
	next := &desiredSet{}
	for _, o := range objs {
		if prev != nil {
			if d, ok := prev.m.Load(o); ok && c.fresh(d.(*Desired)) {
				next.m.Store(o, d)
				continue
			}
		}
		if d, ok := c.tryDesire(o); ok {
			next.m.Store(o, d)
		}
	}
	c.desired.Store(next)
}

// Inherit lets c reuse the desired states prev prepared, for the objects both
// revisions share (gitindex keeps unchanged objects across snapshots); call it
// before Prepare. States computed without a schema c now knows are recomputed.
func (c *Comparer) Inherit(prev *Comparer) {
	if prev != nil && prev != c {
		c.desired.Store(prev.desired.Load())
	}
}

// tryDesire is Desire for Prepare, which runs outside any request: a failure
// (a schema resolver that panics) leaves the object to DesiredOf, whose caller
// answers for it.
func (c *Comparer) tryDesire(o *gitindex.Object) (d *Desired, ok bool) {
	defer func() {
		if recover() != nil {
			d, ok = nil, false
		}
	}()
	return c.Desire(o.GroupVersionKind(), o.Object), true
}

// DesiredOf returns the desired state of a declared object: from the cache Prepare
// filled, or computed now (an object of another revision, or a custom resource
// whose schema arrived since).
func (c *Comparer) DesiredOf(o *gitindex.Object) *Desired {
	set := c.desired.Load()
	if set != nil {
		if d, ok := set.m.Load(o); ok && c.fresh(d.(*Desired)) {
			return d.(*Desired)
		}
	}
	d := c.Desire(o.GroupVersionKind(), o.Object)
	if set != nil {
		set.m.Store(o, d)
	}
	return d
}

// fresh reports whether d was computed with every schema known now.
func (c *Comparer) fresh(d *Desired) bool {
	return d.schemaKnown || !c.typeOf(d.GVK).Known()
}

// DeepCopyMap copies JSON-like values (maps and lists); other values are
// shared, and nothing is panicked on (unlike runtime.DeepCopyJSON).
func DeepCopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return DeepCopyMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopyValue(e)
		}
		return out
	}
	return v
}

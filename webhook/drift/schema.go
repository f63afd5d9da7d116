package drift

import (
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/client-go/applyconfigurations"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	smdschema "sigs.k8s.io/structured-merge-diff/v6/schema"
)

// Type is the structural schema of one kind: a schema plus the root type in it.
// The zero Type means "no schema": maps are compared field by field, lists atomically.
type Type struct {
	schema *smdschema.Schema
	root   smdschema.TypeRef
}

// Known reports whether t carries a schema.
func (t Type) Known() bool { return t.schema != nil }

// Schemas resolves the structural schema of a kind. Implementations must be safe
// for concurrent use and should resolve lazily: one kind at a time, never all.
type Schemas interface {
	Type(gvk schema.GroupVersionKind) Type
}

// BuiltinSchemas resolves the schemas of the built-in Kubernetes kinds from the
// structured-merge-diff schema embedded in client-go, without an API server.
// Each GroupVersionKind is resolved on first use and cached.
type BuiltinSchemas struct {
	once  sync.Once
	conv  managedfields.TypeConverter
	cache sync.Map // schema.GroupVersionKind → Type
}

// NewBuiltinSchemas returns a resolver for the built-in kinds.
func NewBuiltinSchemas() *BuiltinSchemas { return &BuiltinSchemas{} }

// Type implements Schemas. Unknown kinds resolve to the zero Type.
func (b *BuiltinSchemas) Type(gvk schema.GroupVersionKind) Type {
	if v, ok := b.cache.Load(gvk); ok {
		return v.(Type)
	}
	t := b.resolve(gvk)
	b.cache.Store(gvk, t)
	return t
}

func (b *BuiltinSchemas) resolve(gvk schema.GroupVersionKind) Type {
	if !clientgoscheme.Scheme.Recognizes(gvk) {
		return Type{}
	}
	b.once.Do(func() { b.conv = applyconfigurations.NewTypeConverter(clientgoscheme.Scheme) })
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	tv, err := b.conv.ObjectToTyped(u)
	if err != nil {
		return Type{}
	}
	return Type{schema: tv.Schema(), root: tv.TypeRef()}
}

// Chain tries each resolver in order and returns the first known Type.
type Chain []Schemas

// Type implements Schemas.
func (c Chain) Type(gvk schema.GroupVersionKind) Type {
	for _, s := range c {
		if s == nil {
			continue
		}
		if t := s.Type(gvk); t.Known() {
			return t
		}
	}
	return Type{}
}

// node is a position in a Type while walking a value.
type node struct {
	schema *smdschema.Schema
	atom   smdschema.Atom
	named  string // the named type, e.g. io.k8s.apimachinery.pkg.api.resource.Quantity
	known  bool
}

func (t Type) rootNode() node { return resolve(t.schema, t.root) }

func resolve(s *smdschema.Schema, ref smdschema.TypeRef) node {
	if s == nil {
		return node{}
	}
	atom, ok := s.Resolve(ref)
	if !ok {
		return node{}
	}
	n := node{schema: s, atom: atom, known: true}
	if ref.NamedType != nil {
		n.named = *ref.NamedType
	}
	return n
}

// field returns the node of a map's field or element.
func (n node) field(name string) node {
	if !n.known || n.atom.Map == nil {
		return node{}
	}
	if sf, ok := n.atom.Map.FindField(name); ok {
		return resolve(n.schema, sf.Type)
	}
	if n.atom.Map.ElementType.NamedType != nil || n.atom.Map.ElementType.Inlined != (smdschema.Atom{}) {
		return resolve(n.schema, n.atom.Map.ElementType)
	}
	return node{}
}

// elem returns the node of a list's elements.
func (n node) elem() node {
	if !n.known || n.atom.List == nil {
		return node{}
	}
	return resolve(n.schema, n.atom.List.ElementType)
}

// listKeys returns the keys of an associative list of maps, or nil.
func (n node) listKeys() []string {
	if !n.known || n.atom.List == nil || n.atom.List.ElementRelationship != smdschema.Associative {
		return nil
	}
	return n.atom.List.Keys
}

// isSet reports whether n is an associative list of scalars (a set).
func (n node) isSet() bool {
	return n.known && n.atom.List != nil &&
		n.atom.List.ElementRelationship == smdschema.Associative && len(n.atom.List.Keys) == 0
}

// entries reports whether n is a map of entries (labels, annotations, ConfigMap
// data): a string-keyed map without fields, where an absent key is not "".
func (n node) entries() bool {
	if !n.known || n.atom.Map == nil || len(n.atom.Map.Fields) > 0 {
		return false
	}
	et := n.atom.Map.ElementType
	return et.NamedType != nil || et.Inlined != (smdschema.Atom{})
}

// atomicMap reports whether a map must be compared as a whole.
func (n node) atomicMap() bool {
	return n.known && n.atom.Map != nil && n.atom.Map.ElementRelationship == smdschema.Atomic
}

// fieldDefault returns the schema default of a map's field, or nil.
func (n node) fieldDefault(name string) any {
	if !n.known || n.atom.Map == nil {
		return nil
	}
	if sf, ok := n.atom.Map.FindField(name); ok {
		return sf.Default
	}
	return nil
}

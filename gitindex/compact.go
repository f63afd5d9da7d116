package gitindex

import (
	"hash/maphash"
	"math"
	"reflect"
)

// compactor makes the objects of one Build share memory: equal strings (keys and
// values) become one string, and equal maps and lists one map or list. Manifests
// repeat themselves (labels, probes, resources, security contexts), and a small Go
// map costs about 300 bytes, so sharing subtrees is most of a snapshot's memory.
// It runs after an object is final (namespace defaulted, Secret normalized): a
// shared subtree must never change, which Object's contract already demands.
type compactor struct {
	seed   maphash.Seed
	values map[string]any // boxed strings, also for keys
	maps   map[uint64][]map[string]any
	lists  map[uint64][][]any
}

func newCompactor() *compactor {
	return &compactor{seed: maphash.MakeSeed(), values: map[string]any{},
		maps: map[uint64][]map[string]any{}, lists: map[uint64][][]any{}}
}

// Type tags keep, say, the string "1" and the integer 1 from hashing alike.
const (
	tagString = iota + 1
	tagInt
	tagFloat
	tagTrue
	tagFalse
	tagNil
	tagMap
	tagList
)

// object compacts a decoded object in place and returns it (or an equal one).
func (c *compactor) object(obj map[string]any) map[string]any {
	v, _ := c.value(obj)
	return v.(map[string]any)
}

// value returns the shared copy of v and its hash.
func (c *compactor) value(v any) (any, uint64) {
	switch x := v.(type) {
	case string:
		return c.str(v, x), mix(tagString, maphash.String(c.seed, x))
	case int64:
		return v, mix(tagInt, uint64(x))
	case float64:
		return v, mix(tagFloat, math.Float64bits(x))
	case bool:
		if x {
			return v, tagTrue
		}
		return v, tagFalse
	case nil:
		return v, tagNil
	case map[string]any:
		return c.mapping(x)
	case []any:
		return c.list(x)
	}
	return v, 0 // unknown types (never decoded) are not shared: 0 marks that
}

func (c *compactor) str(boxed any, s string) any {
	if shared, ok := c.values[s]; ok {
		return shared
	}
	c.values[s] = boxed
	return boxed
}

func (c *compactor) key(k string) string {
	if shared, ok := c.values[k]; ok {
		if s, ok := shared.(string); ok {
			return s
		}
	}
	c.values[k] = k
	return k
}

func (c *compactor) mapping(m map[string]any) (any, uint64) {
	h, shareable := uint64(len(m)), true
	for k, v := range m {
		cv, vh := c.value(v)
		m[c.key(k)] = cv // an existing key: the map keeps the shared string
		h += mix(maphash.String(c.seed, k), vh)
		shareable = shareable && vh != 0
	}
	h = mix(tagMap, h)
	if !shareable {
		return m, 0
	}
	for _, cand := range c.maps[h] {
		if sameMap(cand, m) {
			return cand, h
		}
	}
	c.maps[h] = append(c.maps[h], m)
	return m, h
}

func (c *compactor) list(l []any) (any, uint64) {
	h, shareable := uint64(len(l)), true
	for i, v := range l {
		cv, vh := c.value(v)
		l[i] = cv
		h = mix(h, vh)
		shareable = shareable && vh != 0
	}
	h = mix(tagList, h)
	if !shareable {
		return l, 0
	}
	for _, cand := range c.lists[h] {
		if sameList(cand, l) {
			return cand, h
		}
	}
	c.lists[h] = append(c.lists[h], l)
	return l, h
}

// sameMap compares maps whose children are already shared: equal children are
// the same map or list.
func sameMap(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || !same(av, bv) {
			return false
		}
	}
	return true
}

func sameList(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !same(a[i], b[i]) {
			return false
		}
	}
	return true
}

func same(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case string, int64, float64, bool, nil:
		return a == b
	}
	return false
}

// mix combines two hashes (the finalizer of SplitMix64 over their sum).
func mix(a, b uint64) uint64 {
	z := a*0x9e3779b97f4a7c15 + b
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

package drift

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

const (
	quantityType    = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	intOrStringType = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
)

// anything is the type of Any.
type anything struct{}

// MarshalJSON renders Any as null where a desired object is shown.
func (anything) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// Any stands, in a desired object, for a value the API server or a controller
// assigns (a Service's clusterIP, a Job's generated selector): every live value
// matches it, and it is never drift.
var Any any = anything{}

func isAny(v any) bool {
	_, ok := v.(anything)
	return ok
}

// oneOf is the type of OneOf.
type oneOf []any

// MarshalJSON renders the first alternative where a desired object is shown.
func (o oneOf) MarshalJSON() ([]byte, error) { return json.Marshal(o[0]) }

// OneOf stands, in a desired object, for a value that depends on how the cluster
// is set up (an admission plugin that may be off): a live value matches when it
// equals one of vs; nil means absent.
func OneOf(vs ...any) any { return oneOf(vs) }

// matchesOneOf reports whether b equals one of a's alternatives, if a is a OneOf.
func matchesOneOf(n node, a, b any) (matched, isOneOf bool) {
	o, ok := a.(oneOf)
	if !ok {
		return false, false
	}
	for _, v := range o {
		if (v == nil && b == nil) || (v != nil && equalAs(n, v, b)) {
			return true, true
		}
	}
	return false, true
}

// Empty reports whether v is a zero value the API does not distinguish from absent:
// nil, "", 0, false, an empty map or an empty list. Map entries (labels,
// annotations, ConfigMap and Secret data) are the exception: the comparison tells
// an absent entry from an empty one.
func Empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	if f, ok := number(v); ok {
		return f == 0
	}
	return false
}

// Equal reports whether two decoded JSON values are equal under the package's
// normalization without schema information (numbers by value, empty = absent).
func Equal(a, b any) bool { return equalAs(node{}, a, b) }

func equalAs(n node, a, b any) bool {
	if isAny(a) || isAny(b) {
		return true
	}
	if m, ok := matchesOneOf(n, a, b); ok {
		return m
	}
	if m, ok := matchesOneOf(n, b, a); ok {
		return m
	}
	if Empty(a) && Empty(b) {
		return true
	}
	switch n.named {
	case quantityType:
		if qa, qb, ok := quantities(a, b); ok {
			return qa.Cmp(qb) == 0
		}
	case intOrStringType:
		return scalarString(a) == scalarString(b)
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && equalMaps(n, x, y)
	case []any:
		y, ok := b.([]any)
		return ok && equalLists(n, x, y)
	case string, bool:
		return a == b
	}
	fa, oka := number(a)
	fb, okb := number(b)
	return oka && okb && fa == fb
}

func equalMaps(n node, x, y map[string]any) bool {
	if n.entries() && !sameKeys(x, y) {
		return false
	}
	for k, v := range x {
		if !equalAs(n.field(k), v, y[k]) {
			return false
		}
	}
	for k, v := range y {
		if _, ok := x[k]; !ok && !Empty(v) {
			return false
		}
	}
	return true
}

// sameKeys reports whether two maps have the same keys (map entries: absent is not "").
func sameKeys(x, y map[string]any) bool {
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if _, ok := y[k]; !ok {
			return false
		}
	}
	return true
}

func equalLists(n node, x, y []any) bool {
	if len(x) != len(y) {
		return false
	}
	if n.isSet() {
		return equalSets(x, y)
	}
	if keys := n.listKeys(); len(keys) > 0 {
		return equalKeyed(n, keys, x, y)
	}
	e := n.elem()
	for i := range x {
		if !equalAs(e, x[i], y[i]) {
			return false
		}
	}
	return true
}

func equalSets(x, y []any) bool {
	count := make(map[string]int, len(x))
	for _, v := range x {
		count[canonical(v)]++
	}
	for _, v := range y {
		k := canonical(v)
		if count[k] == 0 {
			return false
		}
		count[k]--
	}
	return true
}

func equalKeyed(n node, keys []string, x, y []any) bool {
	e := n.elem()
	byKey := indexByKey(e, keys, y)
	for _, v := range x {
		w, ok := byKey[itemKey(e, keys, v)]
		if !ok || !equalAs(e, v, w) {
			return false
		}
	}
	return true
}

// number converts the numeric types a JSON or YAML decoder produces to float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func quantities(a, b any) (resource.Quantity, resource.Quantity, bool) {
	qa, err1 := resource.ParseQuantity(scalarString(a))
	qb, err2 := resource.ParseQuantity(scalarString(b))
	return qa, qb, err1 == nil && err2 == nil
}

// scalarString renders a scalar for int-or-string and quantity comparison.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	if f, ok := number(v); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// canonical renders v as deterministic JSON, used as a map key for sets and list keys.
func canonical(v any) string {
	if f, ok := number(v); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	b, err := json.Marshal(v) // maps are marshalled with sorted keys
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// itemKey renders the key of an associative list item, e.g. "name=nginx" or
// "containerPort=80,protocol=TCP". Absent keys render empty, so items that only
// differ in a defaulted key (protocol) still pair up when the other keys match.
//
// A key the item leaves out takes the schema's default (ports' protocol is TCP),
// so git's `- containerPort: 80` pairs with the API server's defaulted item.
func itemKey(elem node, keys []string, item any) string {
	m, _ := item.(map[string]any)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		v, ok := m[k]
		if !ok {
			v = elem.fieldDefault(k)
		}
		b.WriteString(scalarString(v))
	}
	return b.String()
}

func indexByKey(elem node, keys []string, items []any) map[string]any {
	m := make(map[string]any, len(items))
	for _, it := range items {
		m[itemKey(elem, keys, it)] = it
	}
	return m
}

func sortedKeys[V any](ms ...map[string]V) []string {
	seen := make(map[string]struct{})
	var out []string
	for _, m := range ms {
		for k := range m {
			if _, ok := seen[k]; !ok {
				seen[k] = struct{}{}
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

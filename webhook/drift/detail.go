package drift

import (
	"strconv"
)

// FirstDifference finds where two values first differ below a change's path, for
// a change at a list compared whole (an atomic list: Ingress rules, ClusterRole
// rules, a CRD's versions) or a map compared whole. It returns the path of that
// place relative to the change (".http.paths[0].pathType", "[2]" for an item
// only one side has, "" when the values differ as a whole) and the two values
// there. A list item is named by its name field when both sides' items have the
// same one ([name=v1]), else by its index ([0]).
func FirstDifference(git, new any) (sub string, gitAt, newAt any) {
	switch g := git.(type) {
	case []any:
		if n, ok := new.([]any); ok {
			return firstInLists(g, n)
		}
	case map[string]any:
		if n, ok := new.(map[string]any); ok {
			return firstInMaps(g, n)
		}
	}
	return "", git, new
}

func firstInLists(g, n []any) (string, any, any) {
	for i := 0; i < max(len(g), len(n)); i++ {
		var a, b any
		if i < len(g) {
			a = g[i]
		}
		if i < len(n) {
			b = n[i]
		}
		if i < len(g) && i < len(n) && Equal(a, b) {
			continue
		}
		seg := itemSegment(i, a, b)
		if a == nil || b == nil {
			return seg, a, b
		}
		sub, x, y := FirstDifference(a, b)
		return seg + sub, x, y
	}
	return "", g, n
}

func firstInMaps(g, n map[string]any) (string, any, any) {
	for _, k := range sortedKeys(g, n) {
		if Equal(g[k], n[k]) {
			continue
		}
		seg := path(nil).field(k).String()
		if seg[0] != '[' {
			seg = "." + seg
		}
		sub, x, y := FirstDifference(g[k], n[k])
		return seg + sub, x, y
	}
	return "", g, n
}

// itemSegment names a list item: [name=x] when both sides' items are maps with
// that name, else [i].
func itemSegment(i int, a, b any) string {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	if an, ok := am["name"].(string); ok && an != "" && isPlainKey(an) {
		if bn, _ := bm["name"].(string); bn == an {
			return "[name=" + an + "]"
		}
	}
	return "[" + strconv.Itoa(i) + "]"
}

// isPlainKey reports whether a key value can stand in a [k=v] segment.
func isPlainKey(s string) bool {
	for _, r := range s {
		switch r {
		case ',', '=', '[', ']', '"':
			return false
		}
	}
	return true
}

// DetailPath is a change's path, down to where git's and the new value first
// differ when both are lists or maps compared whole: the field a message shows
// and whose line in git it points at.
func DetailPath(c Change) string {
	if c.Git == nil || c.New == nil {
		return c.Path
	}
	sub, _, _ := FirstDifference(c.Git, c.New)
	return c.Path + sub
}

package yamlline

import (
	"fmt"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Find finds the line of a path in a document with quickLine, or with
// nodeLine where quickLine cannot answer; exact: also where quickLine cannot tell
// whether the path is there or what its value is.
func Find(doc []byte, segs []string, exact bool) (Result, bool) {
	if hasIndex(segs) {
		return nodeLine(doc, segs) // quickLine selects items by keys only
	}
	res, ok := quickLine(doc, segs)
	if !ok || exact && (res.FlowTail || res.Scalar && !res.Known) {
		return nodeLine(doc, segs)
	}
	return res, true
}

// nodeLine is quickLine for any YAML: it parses the document with yaml.v3 and
// walks the nodes.
func nodeLine(doc []byte, segs []string) (Result, bool) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil || len(root.Content) == 0 {
		return Result{}, false
	}
	return Walk(root.Content[0], segs), true
}

// Walk follows path segments from the node n, as nodeLine does.
func Walk(n *yaml.Node, segs []string) Result {
	res := Result{Line: n.Line, Found: true}
	for _, seg := range segs {
		next, at := Step(n, seg)
		if next == nil {
			res.Found = false
			return res
		}
		n, res.Line = next, at
	}
	res.Scalar, res.Value, res.Known = n.Kind == yaml.ScalarNode, n.Value, true
	return res
}

// ValueAt returns the value of a decoded object at path segments, found as step
// finds nodes (nil if there is none).
func ValueAt(v any, segs []string) any {
	for _, seg := range segs {
		switch x := v.(type) {
		case map[string]any:
			v = x[FieldName(seg)]
		case []any:
			v = nil
			if i, ok := ItemIndex(seg); ok {
				if i < len(x) {
					v = x[i]
				}
				continue
			}
			for _, item := range x {
				if m, ok := item.(map[string]any); ok && IsItem(seg) && MapItemMatches(m, strings.Trim(seg, "[]")) {
					v = m
					break
				}
			}
		default:
			return nil
		}
	}
	return v
}

func MapItemMatches(item map[string]any, keys string) bool {
	for _, kv := range strings.Split(keys, ",") {
		k, v, _ := strings.Cut(kv, "=")
		if got, ok := item[k]; ok && fmt.Sprint(got) != v {
			return false
		}
	}
	return true
}

// SameScalar reports whether a YAML scalar's text reads as the decoded value v.
func SameScalar(text string, v any) bool {
	switch v.(type) {
	case string, int64, float64, bool:
		return text == fmt.Sprint(v)
	}
	return false
}

// step descends one path segment (a field name or a [key=value,...] list item) and
// returns the node and the line that declares it (a field's key line).
func Step(n *yaml.Node, seg string) (*yaml.Node, int) {
	if IsItem(seg) {
		item := listItem(n, strings.Trim(seg, "[]"))
		if item == nil {
			return nil, 0
		}
		return item, item.Line
	}
	name := FieldName(seg)
	if n.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i+1], n.Content[i].Line
		}
	}
	return nil, 0
}

// IsItem reports whether a segment selects a list item ([key=value,...]).
func IsItem(seg string) bool { return strings.HasPrefix(seg, "[") && !strings.HasPrefix(seg, `["`) }

// ItemIndex reads a positional segment ([3]: the fourth item), which names an
// item of a list compared whole, whose items have no keys.
func ItemIndex(seg string) (int, bool) {
	if len(seg) < 3 || seg[0] != '[' || seg[len(seg)-1] != ']' {
		return 0, false
	}
	i, err := strconv.Atoi(seg[1 : len(seg)-1])
	return i, err == nil && i >= 0
}

// hasIndex reports whether a path selects an item by position.
func hasIndex(segs []string) bool {
	for _, seg := range segs {
		if _, ok := ItemIndex(seg); ok {
			return true
		}
	}
	return false
}

// FieldName returns the field a name segment (name or ["quoted.name"]) names.
func FieldName(seg string) string {
	if strings.HasPrefix(seg, `["`) {
		if s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(seg, "["), "]")); err == nil {
			return s
		}
	}
	return seg
}

// listItem finds the item of a sequence whose keys match "k=v,k2=v2"; a key the
// item leaves out (a defaulted protocol) does not disqualify it.
func listItem(n *yaml.Node, keys string) *yaml.Node {
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	if i, ok := ItemIndex("[" + keys + "]"); ok {
		if i < len(n.Content) {
			return n.Content[i]
		}
		return nil
	}
	for _, item := range n.Content {
		if item.Kind == yaml.MappingNode && itemMatches(item, keys) {
			return item
		}
	}
	return nil
}

func itemMatches(item *yaml.Node, keys string) bool {
	for _, kv := range strings.Split(keys, ",") {
		k, v, _ := strings.Cut(kv, "=")
		for i := 0; i+1 < len(item.Content); i += 2 {
			if item.Content[i].Value == k && item.Content[i+1].Value != v {
				return false
			}
		}
	}
	return true
}

// SplitPath splits a rendered drift path into segments: names and [...] parts.
func SplitPath(p string) []string {
	var out []string
	for len(p) > 0 {
		switch p[0] {
		case '.':
			p = p[1:]
		case '[':
			end := closing(p)
			out = append(out, p[:end+1])
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, p[:end])
			p = p[end:]
		}
	}
	return out
}

// closing returns the index of the "]" closing p[0] == '[', skipping quoted text.
func closing(p string) int {
	quoted := false
	for i := 1; i < len(p); i++ {
		switch {
		case p[i] == '\\' && quoted:
			i++
		case p[i] == '"':
			quoted = !quoted
		case p[i] == ']' && !quoted:
			return i
		}
	}
	return len(p) - 1
}

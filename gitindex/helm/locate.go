package helm

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Locator finds where in git a rendered object's field is set. It keeps the
// template's text, so it belongs to the denial path, not the hot path.
type Locator struct {
	// File and Line are the object's: its template and document line.
	File string
	Line int

	template []byte   // the template's text (nil: unknown)
	packaged bool     // template is a packaged chart's: its lines are not in git
	layers   []origin // the chart's values, then the values layers in merge order
}

// valuesRef finds a `.Values.a.b` reference in a template line.
var valuesRef = regexp.MustCompile(`\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)`)

// SourceOf returns the file and line that set the field named by fields (the
// field names of its path from the object's root, list items left out), whose
// rendered value is value: the template line that writes it, or, when that
// line takes it from .Values, the values entry that set one of them last (spec.values or
// a valuesFrom entry of the HelmRelease, a values file, the chart's
// values.yaml). Without either, the object's own line.
func (l *Locator) SourceOf(fields []string, value any) (file string, line int) {
	if l == nil {
		return "", 0
	}
	if l.template == nil {
		return l.File, l.Line
	}
	at := templateLine(l.template, fields, value)
	if at == 0 {
		return l.File, l.Line
	}
	text := lineText(l.template, at)
	refs := valuesRef.FindAllStringSubmatch(text, -1)
	for i := len(l.layers) - 1; i >= 0 && len(refs) > 0; i-- { // the last layer setting any of them
		for _, m := range refs {
			if f, n, ok := l.layers[i].find(strings.Split(strings.TrimPrefix(m[1], "."), ".")); ok {
				return f, n
			}
		}
	}
	if l.packaged {
		return l.File, l.Line
	}
	return l.File, at
}

// find returns where the layer sets the values at keys.
func (o origin) find(keys []string) (string, int, bool) {
	if o.file == "" || !has(o.vals, keys) {
		return "", 0, false
	}
	if o.doc == nil {
		return o.file, o.line, true
	}
	path := o.under
	if !o.entry {
		path = append(append([]string(nil), o.under...), keys...)
	}
	n, ok := keyLine(o.doc, path)
	if !ok {
		return o.file, o.line, true
	}
	return o.file, o.line + n - 1, true
}

func has(vals map[string]any, keys []string) bool {
	var v any = vals
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[k]; !ok {
			return false
		}
	}
	return true
}

// keyLine finds the 1-based line of the value at keys in a YAML document
// (a number key indexes a sequence).
func keyLine(doc []byte, keys []string) (int, bool) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil || len(root.Content) == 0 {
		return 0, false
	}
	n := root.Content[0]
	for _, k := range keys {
		next := step(n, k)
		if next == nil {
			return 0, false
		}
		n = next
	}
	return n.Line, true
}

func step(n *yaml.Node, key string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				if n.Content[i+1].Kind == yaml.MappingNode || n.Content[i+1].Kind == yaml.SequenceNode {
					return n.Content[i+1]
				}
				return n.Content[i] // a scalar: the key's line
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

// templateLine finds the template line that writes the field: a `name:` line
// for the deepest of fields the template names, preferring one below lines
// naming its parents (by indentation) and one showing the rendered value or a
// template action; 0 when the template names none of them.
func templateLine(tpl []byte, fields []string, value any) int {
	lines := bytes.Split(tpl, []byte("\n"))
	for depth := len(fields); depth > 0; depth-- {
		best, bestScore := 0, -1
		for i, l := range lines {
			if key, _ := lineKey(l); key != fields[depth-1] {
				continue
			}
			score := 4 * ancestors(lines, i, fields[:depth-1])
			rest := string(l[bytes.IndexByte(l, ':')+1:])
			switch {
			case depth == len(fields) && value != nil && strings.Contains(rest, fmt.Sprint(value)):
				score += 2
			case strings.Contains(rest, "{{"):
				score++
			}
			if score > bestScore {
				best, bestScore = i+1, score
			}
		}
		if best > 0 {
			return best
		}
	}
	return 0
}

// ancestors counts the parents, nearest first, that the lines above line i
// name at smaller indentations.
func ancestors(lines [][]byte, i int, parents []string) int {
	_, ind := lineKey(lines[i])
	count, want := 0, len(parents)-1
	for j := i - 1; j >= 0 && want >= 0; j-- {
		key, in := lineKey(lines[j])
		if key == "" || in >= ind {
			continue
		}
		ind = in
		if key == parents[want] {
			count++
			want--
		}
	}
	return count
}

// lineKey returns the mapping key a line starts (after a list dash), and its indentation.
func lineKey(l []byte) (string, int) {
	s := string(l)
	trimmed := strings.TrimLeft(s, " ")
	ind := len(s) - len(trimmed)
	if rest, ok := strings.CutPrefix(trimmed, "- "); ok {
		trimmed, ind = strings.TrimLeft(rest, " "), ind+2
	}
	colon := strings.Index(trimmed, ":")
	if colon <= 0 || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "{{") {
		return "", ind
	}
	return strings.Trim(trimmed[:colon], `"'`), ind
}

func lineText(text []byte, line int) string {
	lines := bytes.Split(text, []byte("\n"))
	if line < 1 || line > len(lines) {
		return ""
	}
	return string(lines[line-1])
}

// kindLine is the line of the nth `kind: <kind>` of a template (its document's
// line, near enough), else 1.
func kindLine(tpl []byte, kind string, nth int) int {
	first := 0
	for i, l := range bytes.Split(tpl, []byte("\n")) {
		if key, _ := lineKey(l); key == "kind" && strings.TrimSpace(string(l[bytes.IndexByte(l, ':')+1:])) == kind {
			if first == 0 {
				first = i + 1
			}
			if nth == 0 {
				return i + 1
			}
			nth--
		}
	}
	return max(first, 1)
}

// document is one YAML document of a file, with its first line.
type document struct {
	line int
	text []byte
}

// splitDocuments splits a multi-document YAML file at its `---` lines.
func splitDocuments(data []byte) []document {
	var docs []document
	start, startLine := 0, 1
	lines := bytes.SplitAfter(data, []byte("\n"))
	off := 0
	for i, l := range lines {
		if bytes.HasPrefix(l, []byte("---")) && len(bytes.TrimSpace(l[3:])) == 0 {
			docs = append(docs, document{line: startLine, text: data[start:off]})
			start, startLine = off+len(l), i+2
		}
		off += len(l)
	}
	return append(docs, document{line: startLine, text: data[start:]})
}

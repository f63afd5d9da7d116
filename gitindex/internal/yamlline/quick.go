package yamlline

import (
	"bytes"
	"strings"
)

// quickLine finds the line of a path in a block-style YAML document without
// building a node tree: the plain shape of nearly every manifest (block mappings
// and sequences, plain or simply quoted scalars, single-line flow collections,
// comments). It answers as Walk over yaml.v3 nodes would — the line
// of the deepest segment found (1-based, within doc), whether every segment was
// found, and the final value when it is a scalar — or ok false whenever the
// document steps outside that shape on the way (anchors, tags, tabs,
// multi-line flow or quoted scalars, escapes, complex keys, directives); the
// caller then parses with yaml.v3. FuzzQuickLine checks it against that walk.
func quickLine(doc []byte, segs []string) (res Result, ok bool) {
	s := scanner{lines: splitLines(doc)}
	for _, line := range s.lines {
		if i := indent(line); i < len(line) && line[i] == '\t' {
			return res, false // tabs around indentation: yaml.v3's to judge
		}
	}
	l := s.next(0)
	if l < len(s.lines) && bytes.Equal(bytes.TrimRight(s.lines[l], " "), []byte("---")) {
		l = s.next(l + 1)
	}
	if l >= len(s.lines) {
		return res, false
	}
	if t := s.lines[l]; t[0] == '%' || t[0] == '\t' {
		return res, false
	}
	n := node{line: l, col: indent(s.lines[l])}
	res.Line, res.Found = l+1, true
	for i, seg := range segs {
		var next node
		var found bool
		if IsItem(seg) {
			next, found, ok = s.item(n, strings.Trim(seg, "[]"))
		} else {
			next, found, ok = s.field(n, FieldName(seg))
		}
		if !ok {
			return res, false
		}
		if !found {
			res.Found = false
			return res, true
		}
		if next.flow && i < len(segs)-1 {
			// Deeper segments live on this one line, found or not; whether they
			// are found is yaml.v3's to say.
			res.Line, res.FlowTail = next.keyLine+1, true
			return res, true
		}
		n = next
		res.Line = n.keyLine + 1
	}
	if !n.scalar && !n.flow {
		// A block collection must start like one; otherwise it is a scalar on the
		// next line, a shape left to yaml.v3.
		if text := s.lines[n.line][n.col:]; !isDash(text) {
			if _, _, good := splitKey(text); !good {
				return res, false
			}
		}
	}
	res.Scalar, res.Value, res.Known = n.scalar, n.value, !n.block
	return res, true
}

// Result is where a path is in a document.
type Result struct {
	Line   int    // the line of the deepest segment found, 1-based within the document
	Found  bool   // every segment was found
	Scalar bool   // the final node is a scalar; Value is its text when Known
	Value  string // as yaml.v3's Node.Value
	Known  bool   // Value is known (not a block scalar's)
	// FlowTail: the path goes on inside a one-line flow collection; Line is
	// right, Found and the rest are not known.
	FlowTail bool
}

type scanner struct{ lines [][]byte }

// node is a value in the document: a block collection whose entries start at
// column col (the first on line line, possibly after "- "), or a scalar.
type node struct {
	line, col int
	keyLine   int // the line that declares it: its key's, or the item's first line
	scalar    bool
	flow      bool // a single-line flow collection
	block     bool // a block scalar (| or >), whose value is not read
	value     string
}

func splitLines(doc []byte) [][]byte {
	lines := make([][]byte, 0, bytes.Count(doc, []byte{'\n'})+1)
	for len(doc) > 0 {
		i := bytes.IndexByte(doc, '\n')
		if i < 0 {
			lines = append(lines, bytes.TrimSuffix(doc, []byte{'\r'}))
			break
		}
		lines = append(lines, bytes.TrimSuffix(doc[:i], []byte{'\r'}))
		doc = doc[i+1:]
	}
	return lines
}

func indent(line []byte) int {
	n := 0
	for n < len(line) && line[n] == ' ' {
		n++
	}
	return n
}

// blank reports whether a line holds nothing but spaces and a comment.
func blank(line []byte) bool {
	t := bytes.TrimLeft(line, " ")
	return len(t) == 0 || t[0] == '#'
}

// next returns the first non-blank line at or after l.
func (s *scanner) next(l int) int {
	for l < len(s.lines) && blank(s.lines[l]) {
		l++
	}
	return l
}

// entries calls f with the line and column of each entry of the block
// collection n (mapping keys, or the "-" of items), until f returns false.
// It returns false when the block is not plain block YAML.
func (s *scanner) entries(n node, f func(line, col int) bool) bool {
	if !f(n.line, n.col) {
		return true
	}
	for l := s.next(n.line + 1); l < len(s.lines); l = s.next(l + 1) {
		ind := indent(s.lines[l])
		if ind < len(s.lines[l]) && s.lines[l][ind] == '\t' {
			return false
		}
		switch {
		case ind < n.col:
			return true
		case ind == n.col:
			if !f(l, ind) {
				return true
			}
		}
	}
	return true
}

// field finds the member name of the mapping n.
func (s *scanner) field(n node, name string) (node, bool, bool) {
	if n.scalar || n.flow || isDash(s.lines[n.line][n.col:]) {
		return node{}, false, n.scalar || n.flow // not a mapping: yaml.v3 finds nothing
	}
	var out node
	found, ok := false, true
	plain := s.entries(n, func(l, col int) bool {
		text := s.lines[l][col:]
		if isDash(text) {
			return true // an item of the previous key's sequence, indented as the key
		}
		key, rest, good := splitKey(text)
		if !good {
			ok = false
			return false
		}
		if key != name {
			return true
		}
		out, ok = s.value(l, col, len(text)-len(rest))
		found = true
		return false
	})
	return out, found, ok && plain
}

// item finds the item of the sequence n whose keys match "k=v,k2=v2".
func (s *scanner) item(n node, keys string) (node, bool, bool) {
	if n.scalar || n.flow || !isDash(s.lines[n.line][n.col:]) {
		return node{}, false, n.scalar || n.flow
	}
	var out node
	found, ok := false, true
	plain := s.entries(n, func(l, col int) bool {
		if !isDash(s.lines[l][col:]) {
			return false // the parent mapping's next key: the sequence is over
		}
		item, good := s.itemNode(l, col)
		if !good {
			ok = false
			return false
		}
		if item.flow {
			ok = false // a flow mapping may match: yaml.v3's to say
			return false
		}
		if item.scalar {
			return true // yaml.v3 skips items that are not mappings
		}
		match, good := s.matches(item, keys)
		if !good {
			ok = false
			return false
		}
		if match {
			out, found = item, true
			return false
		}
		return true
	})
	return out, found, ok && plain
}

func isDash(text []byte) bool {
	return len(text) > 0 && text[0] == '-' && (len(text) == 1 || text[1] == ' ')
}

// itemNode is the value of the sequence item whose "-" is at (l, col).
func (s *scanner) itemNode(l, col int) (node, bool) {
	text := s.lines[l][col+1:]
	rest := bytes.TrimLeft(text, " ")
	if len(rest) == 0 || rest[0] == '#' {
		c := s.next(l + 1)
		if c >= len(s.lines) || indent(s.lines[c]) <= col {
			return node{scalar: true, keyLine: l}, true // an empty item: null
		}
		return node{line: c, col: indent(s.lines[c]), keyLine: c}, true
	}
	at := col + 1 + len(text) - len(rest)
	if isDash(rest) {
		return node{}, false // "- - x": nested sequences
	}
	if _, _, isKey := splitKey(rest); isKey {
		return node{line: l, col: at, keyLine: l}, true
	}
	v, ok := scalarOrFlow(rest)
	if !ok || !v.block && s.continues(l, col) {
		return node{}, false
	}
	v.keyLine = l
	return v, true
}

// value is the value of the mapping entry at (l, col) whose text after the key's
// colon starts at column col+off.
func (s *scanner) value(l, col, off int) (node, bool) {
	rest := bytes.TrimLeft(s.lines[l][col+off:], " ")
	if len(rest) == 0 || rest[0] == '#' {
		c := s.next(l + 1)
		if c < len(s.lines) {
			ind := indent(s.lines[c])
			if ind > col || ind == col && isDash(s.lines[c][ind:]) {
				return node{line: c, col: ind, keyLine: l}, true
			}
		}
		return node{scalar: true, keyLine: l}, true // null
	}
	v, ok := scalarOrFlow(rest)
	if !ok || !v.block && s.continues(l, col) {
		return node{}, false
	}
	v.keyLine = l
	return v, true
}

// continues reports whether the line after l carries on a scalar begun on it
// (a multi-line plain scalar, more indented than col).
func (s *scanner) continues(l, col int) bool {
	c := s.next(l + 1)
	return c < len(s.lines) && indent(s.lines[c]) > col
}

// matches reports whether the mapping item has, for each k=v of keys, either no
// key k or a scalar v there.
func (s *scanner) matches(item node, keys string) (bool, bool) {
	for _, kv := range strings.Split(keys, ",") {
		k, want, _ := strings.Cut(kv, "=")
		v, found, ok := s.field(item, k)
		if !ok {
			return false, false
		}
		if !found {
			continue
		}
		if v.flow || !v.scalar {
			return false, false // yaml.v3 compares a collection's empty Value
		}
		if v.value != want {
			return false, true
		}
	}
	return true, true
}

package yamlline

import "bytes"

// Span is one item of a List document's items: its first line (1-based,
// within the document) and its bytes in the document.
type Span struct {
	Line       int
	Start, End int
}

// ItemSpans finds the items of a List document's top-level items sequence
// in one pass over its lines, so that each item of a 1 MB ConfigMapList gets
// its own line without parsing the document into nodes. It returns nil when the
// document does not have that plain block shape (items: then "-" entries).
func ItemSpans(doc []byte) []Span {
	var spans []Span
	col, inItems := -1, false
	closeLast := func(off int) {
		if n := len(spans); n > 0 && spans[n-1].End < 0 {
			spans[n-1].End = off
		}
	}
	off, lineNo := 0, 0
	for off < len(doc) {
		next := len(doc)
		if i := bytes.IndexByte(doc[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		lineNo++
		line := bytes.TrimRight(doc[off:next], "\r\n")
		switch {
		case blank(line):
		case !inItems:
			inItems = isItemsKey(line)
		default:
			ind := indent(line)
			if col < 0 {
				col = ind
			}
			if ind < col || ind == col && !isDash(line[ind:]) {
				closeLast(off)
				return spans
			}
			if ind == col {
				closeLast(off)
				spans = append(spans, Span{Line: lineNo, Start: off, End: -1})
			}
		}
		off = next
	}
	closeLast(len(doc))
	return spans
}

// isItemsKey reports whether a line is the top-level "items:" key of a block sequence.
func isItemsKey(line []byte) bool {
	key, rest, ok := splitKey(line)
	return ok && key == "items" && indent(line) == 0 && blank(rest)
}

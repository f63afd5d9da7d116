package yamlline

import "bytes"

// The one-line pieces quickLine reads: keys, scalars, flow collections.

// splitKey splits "key: rest" (a plain or simply quoted key); good false when the
// text is not a mapping entry of that shape.
func splitKey(text []byte) (key string, rest []byte, good bool) {
	if len(text) == 0 {
		return "", nil, false
	}
	switch text[0] {
	case '"', '\'':
		end := bytes.IndexByte(text[1:], text[0])
		if end < 0 || bytes.IndexByte(text[1:end+1], '\\') >= 0 {
			return "", nil, false
		}
		after := text[end+2:]
		if len(after) == 0 || after[0] != ':' || len(after) > 1 && after[1] != ' ' {
			return "", nil, false
		}
		if text[0] == '\'' && bytes.Contains(text[1:end+1], []byte("''")) {
			return "", nil, false
		}
		return string(text[1 : end+1]), after[1:], true
	case '?', '&', '*', '!', '|', '>', '{', '[', '%', '@', '`', ',', '#', '-', ':':
		return "", nil, false
	}
	i := bytes.Index(text, []byte(": "))
	if j := bytes.IndexByte(text, ':'); j == len(text)-1 && (i < 0 || j < i) {
		i = j
	}
	if i <= 0 || bytes.Contains(text[:i], []byte(" #")) {
		return "", nil, false
	}
	k := bytes.TrimRight(text[:i], " ")
	if bytes.ContainsAny(k, "\"'\t{}[]") {
		return "", nil, false
	}
	return string(k), text[i+1:], true
}

// scalarOrFlow reads a value that starts (and must end) on one line.
func scalarOrFlow(rest []byte) (node, bool) {
	switch rest[0] {
	case '|', '>':
		if !blockHeader(rest) {
			return node{}, false
		}
		return node{scalar: true, block: true}, true
	case '&', '*', '!', '%', '@', '`':
		return node{}, false
	case '{', '[':
		end, ok := flowEnd(rest)
		if !ok || !blank(rest[end:]) {
			return node{}, false
		}
		return node{flow: true}, true
	case '"':
		end := bytes.IndexByte(rest[1:], '"')
		if end < 0 || bytes.IndexByte(rest[1:end+1], '\\') >= 0 || !blank(rest[end+2:]) {
			return node{}, false
		}
		return node{scalar: true, value: string(rest[1 : end+1])}, true
	case '\'':
		end := bytes.IndexByte(rest[1:], '\'')
		if end < 0 || !blank(rest[end+2:]) || bytes.Contains(rest[1:], []byte("''")) {
			return node{}, false
		}
		return node{scalar: true, value: string(rest[1 : end+1])}, true
	}
	v := rest
	if i := bytes.Index(v, []byte(" #")); i >= 0 {
		v = v[:i]
	}
	v = bytes.TrimRight(v, " ")
	if bytes.Contains(v, []byte(": ")) || bytes.HasSuffix(v, []byte(":")) || bytes.IndexByte(v, '\t') >= 0 {
		return node{}, false
	}
	return node{scalar: true, value: string(v)}, true
}

// blockHeader reports whether rest is a block scalar header: | or > with optional
// chomping and indentation indicators, then nothing or a comment.
func blockHeader(rest []byte) bool {
	i := 1
	for i < len(rest) && i < 3 && (rest[i] == '-' || rest[i] == '+' || rest[i] >= '1' && rest[i] <= '9') {
		i++
	}
	return i == len(rest) || rest[i] == ' ' && blank(rest[i:])
}

// flowEnd returns the index after the flow collection starting at rest[0],
// when it closes on this line and holds no anchors, tags or escapes.
func flowEnd(rest []byte) (int, bool) {
	depth := 0
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		case '"', '\'':
			end := bytes.IndexByte(rest[i+1:], c)
			if end < 0 || c == '"' && bytes.IndexByte(rest[i+1:i+1+end], '\\') >= 0 {
				return 0, false
			}
			i += end + 1
		case '&', '*', '!', '#':
			return 0, false
		}
	}
	return 0, false
}

package drift

import (
	"strconv"
	"strings"
)

// path is a field path under construction; rendering happens only for changes.
type path []string

func (p path) field(name string) path {
	if isIdent(name) {
		return append(p[:len(p):len(p)], "."+name)
	}
	return append(p[:len(p):len(p)], "["+strconv.Quote(name)+"]")
}

func (p path) item(key string) path {
	return append(p[:len(p):len(p)], "["+key+"]")
}

func (p path) String() string {
	s := strings.Join(p, "")
	return strings.TrimPrefix(s, ".")
}

// isIdent reports whether a map key can be rendered as .key.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-'):
		default:
			return false
		}
	}
	return true
}

package rawjson

import (
	"errors"
	"fmt"
	"strconv"
)

// parseObject decodes a JSON object into the values utiljson.Unmarshal gives a
// map[string]any — map[string]any, []any, string, bool, nil, int64 for numbers
// without '.' that fit, float64 otherwise; the last of duplicate keys wins;
// invalid UTF-8 in strings becomes U+FFFD — in one pass, without reflection.
// The top-level "metadata.managedFields" member is skipped (validated, never
// built): it is often the largest part of an object and is never compared. A
// top-level null gives a nil map, as Unmarshal does.
//
// It is differential-fuzzed against utiljson (FuzzParseObject). On an error the
// caller decodes again with utiljson, so that error messages stay the standard
// ones.
func parseObject(data []byte) (map[string]any, error) {
	p := jsonParser{data: data}
	p.space()
	if p.literal("null") {
		p.space()
		if p.i != len(p.data) {
			return nil, p.fail("data after the top-level value")
		}
		return nil, nil
	}
	if p.i >= len(p.data) || p.data[p.i] != '{' {
		return nil, p.fail("the top-level value is not an object")
	}
	m, err := p.object(1, true, true, "")
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.data) {
		return nil, p.fail("data after the top-level value")
	}
	return m, nil
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

type jsonParser struct {
	data []byte
	i    int
}

func (p *jsonParser) fail(what string) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, p.i, what)
}

func (p *jsonParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) literal(s string) bool {
	if len(p.data)-p.i >= len(s) && string(p.data[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// value parses any JSON value; build false validates it without building it.
func (p *jsonParser) value(depth int, build bool) (any, error) {
	if depth > maxDepth {
		return nil, p.fail("nested too deeply")
	}
	p.space()
	if p.i >= len(p.data) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.data[p.i]; {
	case c == '{':
		m, err := p.object(depth+1, build, false, "")
		if err != nil || !build {
			return nil, err
		}
		return m, nil
	case c == '[':
		return p.array(depth+1, build)
	case c == '"':
		return p.str(build)
	case c == '-' || c >= '0' && c <= '9':
		return p.number(build)
	case p.literal("true"):
		return true, nil
	case p.literal("false"):
		return false, nil
	case p.literal("null"):
		return nil, nil
	}
	return nil, p.fail("unexpected character")
}

// object parses {...} at p.i, building the map when build is set. Members named
// skip are validated but not kept. top marks the top-level object, whose
// "metadata" member is parsed without its managedFields.
func (p *jsonParser) object(depth int, build, top bool, skip string) (map[string]any, error) {
	p.i++ // {
	var m map[string]any
	if build {
		m = make(map[string]any)
	}
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, p.fail("expected a member name")
		}
		k, err := p.key(build)
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.i++
		name := k
		keep := build && (skip == "" || name != skip)
		var v any
		if p.space(); top && keep && name == "metadata" && p.i < len(p.data) && p.data[p.i] == '{' {
			if depth+1 > maxDepth {
				return nil, p.fail("nested too deeply")
			}
			v, err = p.object(depth+1, true, false, "managedFields")
		} else {
			v, err = p.value(depth, keep)
		}
		if err != nil {
			return nil, err
		}
		if keep {
			m[name] = v
		} else if build {
			delete(m, name) // a skipped duplicate hides earlier ones
		}
		p.space()
		if p.i >= len(p.data) {
			return nil, p.fail("unexpected end in an object")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return m, nil
		default:
			return nil, p.fail("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array(depth int, build bool) (any, error) {
	p.i++          // [
	var buf [8]any // items gather here, then go into one slice of the exact size
	items := buf[:0]
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		if !build {
			return nil, nil
		}
		return []any{}, nil
	}
	for {
		v, err := p.value(depth, build)
		if err != nil {
			return nil, err
		}
		if build {
			items = append(items, v)
		}
		p.space()
		if p.i >= len(p.data) {
			return nil, p.fail("unexpected end in an array")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			if !build {
				return nil, nil
			}
			return append(make([]any, 0, len(items)), items...), nil
		default:
			return nil, p.fail("expected ',' or ']'")
		}
	}
}

// number parses a JSON number: int64 when it has no '.' and fits, else float64.
func (p *jsonParser) number(build bool) (any, error) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.data[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.data) && p.data[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return nil, p.fail("invalid number")
	}
	dot := false
	if p.i < len(p.data) && p.data[p.i] == '.' {
		dot = true
		p.i++
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	if !build {
		return nil, nil
	}
	s := string(p.data[start:p.i])
	if !dot {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, p.fail("number out of range")
	}
	return f, nil
}

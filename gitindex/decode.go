package gitindex

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex/internal/yamlline"
)

// document is one YAML document of a file with the line it starts at.
type document struct {
	line       int    // the 1-based line of its first content line
	start, end int    // its bytes in the file
	data       []byte // the file's data[start:end]
}

// splitDocuments splits multi-document YAML on "---" lines, keeping the 1-based
// line of each document's first content line. The documents share data.
func splitDocuments(data []byte) []document {
	var docs []document
	first, start, lineNo := 0, 0, 0
	flush := func(end int) {
		if first > 0 {
			docs = append(docs, document{line: first, start: start, end: end, data: data[start:end:end]})
		}
		first = 0
	}
	for off := 0; off < len(data); {
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		lineNo++
		trimmed := bytes.TrimRight(data[off:next], " \t\r\n")
		switch {
		case isSeparator(trimmed):
			flush(off)
		case first == 0:
			if content := bytes.TrimSpace(trimmed); len(content) > 0 && content[0] != '#' {
				first, start = lineNo, off
			}
		}
		off = next
	}
	flush(len(data))
	return docs
}

func isSeparator(line []byte) bool {
	return string(line) == "---" || bytes.HasPrefix(line, []byte("--- ")) || string(line) == "..."
}

// decodeDocument decodes one YAML or JSON document into JSON-compatible values
// (integers as int64, as the API machinery decodes them), exactly as
// sigs.k8s.io/yaml.YAMLToJSONStrict followed by the API machinery's JSON decoding
// would (decodeDocumentSlow), without the JSON round trip in between.
func decodeDocument(data []byte) (map[string]any, error) {
	var y any
	if err := yamlv2.UnmarshalStrict(data, &y); err != nil {
		return nil, err
	}
	if y == nil {
		return nil, nil
	}
	v, ok := jsonValue(y)
	if !ok { // a value only the slow path knows how to reject or convert
		return decodeDocumentSlow(data)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return decodeDocumentSlow(data) // for its error message
	}
	return m, nil
}

// decodeDocumentSlow is the reference decoding: YAML to JSON, JSON to values.
func decodeDocumentSlow(data []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(bytes.TrimSpace(j), []byte("null")) {
		return nil, nil
	}
	var m map[string]any
	if err := utiljson.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("not a YAML mapping: %w", err)
	}
	return m, nil
}

// jsonValue converts what go-yaml v2 decodes into what a JSON round trip would
// give; ok is false for anything else (NaN, infinities, unexpected types).
func jsonValue(y any) (v any, ok bool) {
	switch x := y.(type) {
	case nil, bool:
		return x, true
	case string:
		return validUTF8(x), true
	case int:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
		return float64(x), true
	case float64:
		return jsonNumber(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if out[i], ok = jsonValue(e); !ok {
				return nil, false
			}
		}
		return out, true
	case map[any]any:
		return jsonObject(x)
	}
	return nil, false
}

func jsonObject(x map[any]any) (any, bool) {
	out := make(map[string]any, len(x))
	for k, e := range x {
		key, ok := jsonKey(k)
		if !ok {
			return nil, false
		}
		if out[key], ok = jsonValue(e); !ok {
			return nil, false
		}
	}
	return out, true
}

// jsonKey renders a YAML map key as sigs.k8s.io/yaml does.
func jsonKey(k any) (string, bool) {
	switch x := k.(type) {
	case string:
		return validUTF8(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false // floats and the rest: the slow path
}

// jsonNumber is a float after encoding/json wrote it and the API machinery read
// it back: integral values below 1e21 are written as their shortest digits, with
// no point or exponent, and read as int64 when they fit.
func jsonNumber(f float64) (any, bool) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return nil, false
	case f != math.Trunc(f) || math.Abs(f) >= 1e21:
		return f, true
	case math.Abs(f) <= 1<<53: // exactly representable: the digits are the value
		return int64(f), true
	}
	if i, err := strconv.ParseInt(strconv.FormatFloat(f, 'f', -1, 64), 10, 64); err == nil {
		return i, true
	}
	return f, true
}

// validUTF8 replaces each invalid byte with U+FFFD, as encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// placeItems gives each object decoded from a List document its item's line and
// text, when the items can be told apart; they keep the List's line otherwise.
func placeItems(objs []decodedObject, doc document, text *sourceText) {
	spans := yamlline.ItemSpans(doc.data)
	if len(spans) != len(objs) {
		return
	}
	for i := range objs {
		s := spans[i]
		objs[i].line = doc.line + s.Line - 1 // doc.data starts at the document's line
		objs[i].src, objs[i].span, objs[i].item = text, [2]int{doc.start + s.Start, doc.start + s.End}, true
	}
}

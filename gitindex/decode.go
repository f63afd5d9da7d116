package gitindex

import (
	"bytes"
	"fmt"
	"strings"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// document is one YAML document of a file with the line it starts at.
type document struct {
	line int
	data []byte
}

// splitDocuments splits multi-document YAML on "---" lines, keeping the 1-based
// line of each document's first content line.
func splitDocuments(data []byte) []document {
	var docs []document
	var cur bytes.Buffer
	start, lineNo := 0, 0
	flush := func() {
		if start > 0 {
			docs = append(docs, document{line: start, data: append([]byte(nil), cur.Bytes()...)})
		}
		cur.Reset()
		start = 0
	}
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		lineNo++
		trimmed := strings.TrimRight(string(line), " \t\r\n")
		if trimmed == "---" || strings.HasPrefix(trimmed, "--- ") || trimmed == "..." {
			flush()
			continue
		}
		content := strings.TrimSpace(trimmed)
		if start == 0 && (content == "" || strings.HasPrefix(content, "#")) {
			continue
		}
		if start == 0 {
			start = lineNo
		}
		cur.Write(line)
	}
	flush()
	return docs
}

// decodeDocument decodes one YAML or JSON document into JSON-compatible values
// (integers as int64, as the API machinery decodes them).
func decodeDocument(data []byte) (map[string]any, error) {
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

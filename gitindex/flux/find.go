package flux

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// Flux's Kustomization API.
const (
	apiVersion = Group + "/v1"
	kind       = "Kustomization"
)

// kustomization is a Flux Kustomization found in the commit.
type kustomization struct {
	obj  unstructured.Unstructured
	path string // its file
	line int    // its document's first line
	doc  []byte // its document's text
}

// String names it as messages do: namespace/name at path:line.
func (k *kustomization) String() string {
	return fmt.Sprintf("Kustomization %s/%s (%s:%d)", k.obj.GetNamespace(), k.obj.GetName(), k.path, k.line)
}

// find returns the Kustomizations of the commit that Flux applies from the
// source, in path and line order.
func (r *Renderer) find(files gitindex.TreeReader) ([]*kustomization, error) {
	var out []*kustomization
	for _, p := range files.Paths() {
		switch strings.ToLower(path.Ext(p)) {
		case ".yaml", ".yml":
		default:
			continue
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if !bytes.Contains(data, []byte(apiVersion)) {
			continue // most files: not one
		}
		for _, d := range documents(data) {
			k, err := r.decode(p, d)
			if err != nil {
				return nil, err
			}
			if k != nil {
				out = append(out, k)
			}
		}
	}
	return out, nil
}

// decode returns the document's Kustomization if it is one from the source.
func (r *Renderer) decode(p string, d document) (*kustomization, error) {
	var m map[string]any
	if err := yaml.Unmarshal(d.text, &m); err != nil || m == nil {
		return nil, nil // not a Kustomization that Flux could read either; gitindex reports bad YAML it renders
	}
	k := &kustomization{obj: unstructured.Unstructured{Object: m}, path: p, line: d.line, doc: d.text}
	if k.obj.GetAPIVersion() != apiVersion || k.obj.GetKind() != kind {
		return nil, nil
	}
	if k.obj.GetNamespace() == "" {
		k.obj.SetNamespace(r.opts.DefaultNamespace)
	}
	ref, _, _ := unstructured.NestedStringMap(m, "spec", "sourceRef")
	ns := ref["namespace"]
	if ns == "" {
		ns = k.obj.GetNamespace()
	}
	if ref["kind"] != "GitRepository" || ref["name"] != r.opts.Source.Name || ns != r.opts.Source.Namespace {
		return nil, nil
	}
	if spec, _ := m["spec"].(map[string]any); spec["decryption"] != nil {
		return nil, fmt.Errorf("%s:%d: %s sets spec.decryption: gitgate does not decrypt SOPS", p, d.line, k)
	}
	return k, nil
}

// document is one YAML document of a file and the line it starts at.
type document struct {
	text []byte
	line int
}

// documents splits a file at its --- lines.
func documents(data []byte) []document {
	var out []document
	start, line := 0, 1
	for i, at := 0, 0; at <= len(data); i++ {
		end := bytes.IndexByte(data[at:], '\n')
		next := len(data) + 1
		if end >= 0 {
			next = at + end + 1
		}
		text := data[at:min(next, len(data))]
		if bytes.HasPrefix(text, []byte("---")) && strings.TrimSpace(strings.SplitN(string(text[3:]), "#", 2)[0]) == "" {
			out = append(out, document{text: data[start:at], line: line})
			start, line = min(next, len(data)), i+2
		}
		at = next
	}
	out = append(out, document{text: data[start:], line: line})
	return out
}

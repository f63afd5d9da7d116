package gitindex

import (
	"path"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/gitgate-dev/gitgate/gitindex/internal/yamlline"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// editKind is what a kustomization entry that sets fields is.
type editKind uint8

const (
	editPatch     editKind = iota // a patch document: strategic merge, or JSON 6902 operations
	editImage                     // an images entry
	editReplicas                  // a replicas entry
	editVar                       // a variable a render substitutes (see Rendering.Vars)
	editName                      // a render's name prefix or suffix (Rendering.NameLine)
	editNamespace                 // a render's namespace (Rendering.NamespaceLine)
)

// edit is an entry of a kustomization that sets fields of the objects it
// renders. Edits are made once per kustomization and Build, and shared by the
// editChains of its objects.
type edit struct {
	kind editKind
	file string // where a user changes it: the patch file, or the kustomization
	line int    // the line of the patch document's first line, or of the entry
	// flat: the patch text is not laid out line by line in file (a quoted or
	// folded scalar); all of it is at line.
	flat   bool
	patch  patchText
	target *patchTarget // a patch's target; nil: the document names its object
	// docKind and docName are a patch document's own kind and name.
	docKind, docName string
	// name, newName, newTag and digest are an images entry's; name and count a
	// replicas entry's; name a variable's.
	name, newName, newTag, digest, count string
}

// patchText is a patch document: a span of a patch file's compressed text, or
// an inline patch's text.
type patchText struct {
	text       *sourceText
	inline     string
	start, end uint32
}

// bytes returns the document's text.
func (p patchText) bytes() ([]byte, error) {
	if p.text == nil {
		return []byte(p.inline[p.start:p.end]), nil
	}
	return p.text.slice(int(p.start), int(p.end))
}

// patchTarget is a patch's target selector, as the kustomization writes it;
// name and namespace are regular expressions, as kustomize reads them.
type patchTarget struct {
	Group              string `yaml:"group"`
	Version            string `yaml:"version"`
	Kind               string `yaml:"kind"`
	Name               string `yaml:"name"`
	Namespace          string `yaml:"namespace"`
	LabelSelector      string `yaml:"labelSelector"`
	AnnotationSelector string `yaml:"annotationSelector"`
}

// editChain is the edits of the kustomizations that rendered an object, one list
// per kustomization in the order kustomize applied them. Objects rendered
// through the same kustomizations share one.
type editChain struct {
	levels [][]edit
}

// chain returns the shared editChain of the kustomizations via (relative to the
// directory dir being built), or nil when none of them sets fields.
func (x *origins) chain(dir string, via []string) *editChain {
	if len(via) == 0 {
		return nil
	}
	var levels [][]edit
	var key strings.Builder
	for _, k := range via {
		p, f := x.file(dir, k)
		if f == nil || !source.IsKustomization(p) {
			continue
		}
		if f.edits == nil {
			f.edits = x.kustomizationEdits(p, f.data)
		}
		if len(f.edits) > 0 {
			levels = append(levels, f.edits)
			key.WriteString(p + "\n")
		}
	}
	if len(levels) == 0 {
		return nil
	}
	if c, ok := x.chains[key.String()]; ok {
		return c
	}
	c := &editChain{levels: levels}
	x.chains[key.String()] = c
	return c
}

// kustomizationEdits lists the entries of the kustomization at p that set
// fields, in the order kustomize applies them: patchesStrategicMerge, patches,
// patchesJson6902, replicas, images. What it cannot read is left out.
func (x *origins) kustomizationEdits(p string, data []byte) []edit {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return []edit{} // not nil: parsed
	}
	return x.editsOf(p, path.Dir(p), root.Content[0])
}

// editsOf lists the entries of a mapping laid out like a kustomization, in the
// file p of directory dir, that set fields (see kustomizationEdits).
func (x *origins) editsOf(p, dir string, mapping *yaml.Node) []edit {
	out := []edit{} // not nil: parsed
	fields := map[string]*yaml.Node{}
	top := mapping.Content
	for i := 0; i+1 < len(top); i += 2 {
		if top[i+1].Kind == yaml.SequenceNode {
			fields[top[i].Value] = top[i+1]
		}
	}
	for _, item := range items(fields["patchesStrategicMerge"]) {
		if item.Kind == yaml.ScalarNode {
			out = x.appendPatch(out, p, dir, patchEntry{path: item.Value, inline: item})
		}
	}
	for _, name := range []string{"patches", "patchesJson6902"} {
		for _, item := range items(fields[name]) {
			out = x.appendPatch(out, p, dir, readPatchEntry(item))
		}
	}
	for _, item := range items(fields["replicas"]) {
		if e, ok := entryEdit(editReplicas, p, item); ok {
			out = append(out, e)
		}
	}
	for _, item := range items(fields["images"]) {
		if e, ok := entryEdit(editImage, p, item); ok {
			out = append(out, e)
		}
	}
	return out
}

// settingsNode returns the mapping at the path at in the YAML document doc, or nil.
func settingsNode(doc []byte, at []string) *yaml.Node {
	var root yaml.Node
	if len(doc) == 0 || yaml.Unmarshal(doc, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	n := root.Content[0]
	for _, seg := range at {
		if n, _ = yamlline.Step(n, seg); n == nil {
			return nil
		}
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	return n
}

func items(seq *yaml.Node) []*yaml.Node {
	if seq == nil {
		return nil
	}
	return seq.Content
}

// patchEntry is an entry of patches or patchesJson6902 (or of
// patchesStrategicMerge: a path, or inline text).
type patchEntry struct {
	path   string
	inline *yaml.Node // the patch: text
	target *patchTarget
}

func readPatchEntry(item *yaml.Node) patchEntry {
	var e patchEntry
	if v, _ := yamlline.Step(item, "path"); v != nil && v.Kind == yaml.ScalarNode {
		e.path = v.Value
	}
	if v, _ := yamlline.Step(item, "patch"); v != nil && v.Kind == yaml.ScalarNode {
		e.inline = v
	}
	if v, _ := yamlline.Step(item, "target"); v != nil && v.Kind == yaml.MappingNode {
		var t patchTarget
		if v.Decode(&t) == nil {
			e.target = &t
		}
	}
	return e
}

// appendPatch appends an edit per document of a patch entry of the
// kustomization k in dir: the file at its path, else its inline text.
func (x *origins) appendPatch(out []edit, k, dir string, e patchEntry) []edit {
	if e.path != "" {
		if p, f := x.file(dir, e.path); f != nil {
			if f.text == nil {
				f.text = compressText(f.data)
			}
			for _, d := range f.documents() {
				out = append(out, edit{kind: editPatch, file: p, line: d.line, target: e.target, docKind: d.kind, docName: d.name,
					patch: patchText{text: f.text, start: uint32(d.start), end: uint32(d.end)}})
			}
			return out
		}
	}
	if e.inline == nil {
		return out
	}
	text := e.inline.Value
	line, flat := e.inline.Line, e.inline.Style&yaml.LiteralStyle == 0
	if !flat {
		line++ // the text starts below the | indicator
	}
	inline := &originFile{data: []byte(text)}
	for _, d := range inline.documents() {
		at := line
		if !flat {
			at += d.line - 1
		}
		out = append(out, edit{kind: editPatch, file: k, line: at, flat: flat, target: e.target, docKind: d.kind, docName: d.name,
			patch: patchText{inline: text, start: uint32(d.start), end: uint32(d.end)}})
	}
	return out
}

// entryEdit reads an images or replicas entry of the kustomization k.
func entryEdit(kind editKind, k string, item *yaml.Node) (edit, bool) {
	var v struct {
		Name    string `yaml:"name"`
		NewName string `yaml:"newName"`
		NewTag  string `yaml:"newTag"`
		Digest  string `yaml:"digest"`
		Count   string `yaml:"count"`
	}
	if item.Kind != yaml.MappingNode || item.Decode(&v) != nil || v.Name == "" {
		return edit{}, false
	}
	return edit{kind: kind, file: k, line: item.Line, name: v.Name, newName: v.NewName, newTag: v.NewTag,
		digest: v.Digest, count: v.Count}, true
}

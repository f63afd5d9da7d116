package gitindex

import (
	"path"
	"reflect"
	"slices"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitgate-dev/gitgate/gitindex/internal/yamlline"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// buildMetadata records which of the build metadata gitgate asks kustomize for
// the kustomization asks for itself: those stay on its objects.
type buildMetadata struct {
	origins, transformations bool
}

// gitgateMetadata is the line withBuildMetadata adds.
const gitgateMetadata = "buildMetadata: [originAnnotations, transformerAnnotations]\n"

// withBuildMetadata returns the kustomization with buildMetadata
// [originAnnotations, transformerAnnotations] added, so that kustomize records
// where each object came from and which kustomizations transformed it, and which
// of them the kustomization asked for itself. The data is returned unchanged when
// it asks for both already, or when the line added would change anything else in
// it (JSON, a buildMetadata list of its own, a second document): its objects then
// stay attributed to the kustomization.
func withBuildMetadata(data []byte) (out []byte, asked buildMetadata) {
	var k types.Kustomization
	if err := k.Unmarshal(data); err != nil {
		return data, asked // kustomize reports it
	}
	asked.origins = slices.Contains(k.BuildMetadata, types.OriginAnnotations)
	asked.transformations = slices.Contains(k.BuildMetadata, types.TransformerAnnotations)
	if asked.origins && asked.transformations {
		return data, asked
	}
	out = make([]byte, 0, len(data)+len(gitgateMetadata)+1)
	out = append(out, data...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, gitgateMetadata...)
	var got types.Kustomization
	k.BuildMetadata = append(k.BuildMetadata, types.OriginAnnotations, types.TransformerAnnotations)
	if err := got.Unmarshal(out); err != nil || !reflect.DeepEqual(got, k) {
		return data, asked
	}
	return out, asked
}

// origins finds the file and line that declare a rendered object, from the origin
// kustomize annotated it with. It reads each file once per Build, and is used on
// Build's goroutine only (renders are not parallel).
type origins struct {
	tree   *fileTree
	files  map[string]*originFile // by path; nil: missing or unreadable
	chains map[string]*editChain  // by the kustomizations' paths, one a line
	// renderings and rendered cache a Rendering's edits and the chains extended with them.
	renderings map[*Rendering][]edit
	rendered   map[renderingKey]*editChain
}

// originFile is a file that objects came from, with its documents' identities.
type originFile struct {
	data       []byte
	text       *sourceText // compressed on first use, shared by its objects
	docs       []originDoc
	generators []generatorEntry // a kustomization's
	edits      []edit           // a kustomization's; nil: not read yet
	parsed     bool
}

type originDoc struct {
	kind, name string
	line       int
	start, end int
	list       bool // a List: its items have no document of their own
}

func newOrigins(tree *fileTree) *origins {
	return &origins{tree: tree, files: map[string]*originFile{}, chains: map[string]*editChain{},
		renderings: map[*Rendering][]edit{}, rendered: map[renderingKey]*editChain{}}
}

// place points d at the file and line that declare the object kustomize rendered
// in the directory dir (relative to the repository root) with origin o. It leaves
// d alone when the origin leads nowhere in the commit.
func (x *origins) place(d *decodedObject, dir string, o *resource.Origin) {
	if o == nil || o.Repo != "" {
		return
	}
	kind, _ := d.obj["kind"].(string)
	meta, _ := d.obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	switch {
	case o.Path != "":
		p, f := x.file(dir, o.Path)
		doc, ok := f.find(kind, name)
		if !ok {
			return
		}
		d.path, d.line, d.origin = p, doc.line, true
		if !doc.list {
			if f.text == nil {
				f.text = compressText(f.data)
			}
			d.src, d.span = f.text, [2]int{doc.start, doc.end}
		}
	case o.ConfiguredIn != "":
		p, f := x.file(dir, o.ConfiguredIn)
		if f == nil {
			return
		}
		d.path, d.line, d.origin = p, 1, true
		if source.IsKustomization(p) {
			d.line = f.generatorLine(o.ConfiguredBy.Kind, name)
		} else if doc, ok := f.find(o.ConfiguredBy.Kind, o.ConfiguredBy.Name); ok {
			d.line = doc.line // a generator's configuration, in a file of its own
		}
	}
}

// file returns the commit's file at rel (relative to dir), if it has one.
func (x *origins) file(dir, rel string) (string, *originFile) {
	p := path.Join(dir, rel)
	if path.IsAbs(rel) { // kustomize's file system is rooted at the repository
		p = strings.TrimPrefix(path.Clean(rel), "/")
	}
	if p == ".." || strings.HasPrefix(p, "../") {
		return p, nil
	}
	f, seen := x.files[p]
	if !seen {
		if tf := x.tree.byPath[p]; tf != nil {
			if data, err := x.tree.data(tf); err == nil {
				f = &originFile{data: data}
			}
		}
		x.files[p] = f
	}
	return p, f
}

// find returns the document declaring an object of kind named name before
// kustomize added a prefix or suffix: the same name, else the longest name that
// name contains, else the only (or first) document of the kind, else the first.
func (f *originFile) find(kind, name string) (originDoc, bool) {
	if f == nil {
		return originDoc{}, false
	}
	docs := f.documents()
	best, ofKind := -1, -1
	for i, d := range docs {
		if d.kind != kind {
			continue
		}
		if d.name == name {
			return d, true
		}
		if ofKind < 0 {
			ofKind = i
		}
		if d.name != "" && strings.Contains(name, d.name) && (best < 0 || len(d.name) > len(docs[best].name)) {
			best = i
		}
	}
	switch {
	case best >= 0:
		return docs[best], true
	case ofKind >= 0:
		return docs[ofKind], true
	case len(docs) > 0:
		return docs[0], true
	}
	return originDoc{}, false
}

// documents reads the kind and name of each document (once).
func (f *originFile) documents() []originDoc {
	if f.parsed {
		return f.docs
	}
	f.parsed = true
	for _, d := range splitDocuments(f.data) {
		var head docHead
		_ = yamlv2.Unmarshal(d.data, &head) // a document it cannot read is found by position only
		f.docs = append(f.docs, originDoc{kind: head.Kind, name: head.Metadata.Name, line: d.line,
			start: d.start, end: d.end, list: bool(head.Items)})
	}
	return f.docs
}

// docHead is what documents reads of a document.
type docHead struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Items present `yaml:"items"`
}

// present records that a field is there without decoding its value.
type present bool

// UnmarshalYAML implements yamlv2.Unmarshaler.
func (p *present) UnmarshalYAML(func(any) error) error { *p = true; return nil }

// generatorEntry is an item of a kustomization's configMapGenerator or
// secretGenerator (name "": the list itself).
type generatorEntry struct {
	kind, name string
	line       int
}

// generatorFields maps a builtin generator's kind to its kustomization field.
var generatorFields = map[string]string{"configMapGenerator": "ConfigMapGenerator", "secretGenerator": "SecretGenerator"}

// generatorLine returns the line of the kustomization's generator entry that
// made the object named name (the entry's name plus a prefix, suffix or hash);
// the list's line if no entry matches, 1 if the kustomization has no such list.
func (f *originFile) generatorLine(kind, name string) int {
	if f.generators == nil {
		f.generators = generatorEntries(f.data)
	}
	best := -1
	for i, g := range f.generators {
		if g.kind == kind && strings.Contains(name, g.name) && (best < 0 || len(g.name) > len(f.generators[best].name)) {
			best = i
		}
	}
	if best < 0 {
		return 1
	}
	return f.generators[best].line
}

func generatorEntries(data []byte) []generatorEntry {
	out := []generatorEntry{} // not nil: parsed
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return out
	}
	top := root.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		kind, ok := generatorFields[top[i].Value]
		if !ok || top[i+1].Kind != yaml.SequenceNode {
			continue
		}
		out = append(out, generatorEntry{kind: kind, line: top[i].Line})
		for _, item := range top[i+1].Content {
			if name, _ := yamlline.Step(item, "name"); name != nil && name.Kind == yaml.ScalarNode && name.Value != "" {
				out = append(out, generatorEntry{kind: kind, name: name.Value, line: item.Line})
			}
		}
	}
	return out
}

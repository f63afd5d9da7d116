package gitindex

import (
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// File is one file of a commit, with its path relative to the repository root.
type File struct {
	Path string
	Data []byte
}

// BuildOptions says which files of a commit are manifests and how to read them.
type BuildOptions struct {
	// Repo names the repository in messages.
	Repo string
	// Paths are the folders holding manifests, relative to the repository root;
	// default ["."] (the whole repository).
	Paths []string
	// PolicyPath is the folder holding the Rego policies; default "policies".
	// Its files are never read as manifests.
	PolicyPath string
	// DefaultNamespace is given to namespaced objects that declare none; default "default".
	DefaultNamespace string
	// Scope tells which kinds are namespaced; default BuiltinScope plus the CRDs
	// in the commit.
	Scope Scope
}

// Default fills in defaults.
func (o *BuildOptions) Default() {
	if len(o.Paths) == 0 {
		o.Paths = []string{"."}
	}
	if o.PolicyPath == "" {
		o.PolicyPath = "policies"
	}
	if o.DefaultNamespace == "" {
		o.DefaultNamespace = "default"
	}
}

// BuildError lists every problem found in a commit; the snapshot is rejected.
type BuildError struct {
	Commit   string
	Problems []string // "path:line: message"
}

func (e *BuildError) Error() string {
	short := e.Commit
	if len(short) > 7 {
		short = short[:7]
	}
	return fmt.Sprintf("commit %s rejected: %s", short, strings.Join(e.Problems, "; "))
}

// Build indexes the files of one commit into a Snapshot. It is all-or-nothing: any
// problem in any manifest rejects the whole commit with a *BuildError.
func Build(commit string, files []File, opts BuildOptions) (*Snapshot, error) {
	opts.Default()
	b := &builder{opts: opts, snap: &Snapshot{
		Repo: opts.Repo, Commit: commit, Policies: map[string]string{},
		objects: map[Key]*Object{}, kinds: map[schema.GroupKind]bool{}, namespaces: map[string]bool{},
		resources: map[schema.GroupResource]string{},
	}}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	var decoded []decodedObject
	for _, f := range files {
		decoded = append(decoded, b.file(f)...)
	}
	scope := Scope(ChainScope{opts.Scope, crdScope(decoded), BuiltinScope{}})
	plurals := crdPlurals(decoded)
	for _, d := range decoded {
		b.add(d, scope)
	}
	for gk := range b.snap.kinds {
		plural, ok := plurals[gk]
		if !ok {
			plural = guessPlural(gk)
		}
		b.snap.resources[schema.GroupResource{Group: gk.Group, Resource: plural}] = gk.Kind
	}
	if len(b.problems) > 0 {
		return nil, &BuildError{Commit: commit, Problems: b.problems}
	}
	return b.snap, nil
}

type builder struct {
	opts     BuildOptions
	snap     *Snapshot
	problems []string
}

type decodedObject struct {
	path string
	line int
	obj  map[string]any
	doc  []byte
}

func (b *builder) problem(file string, line int, format string, args ...any) {
	b.problems = append(b.problems, fmt.Sprintf("%s:%d: %s", file, line, fmt.Sprintf(format, args...)))
}

// file sorts one file into policy, config or manifests.
func (b *builder) file(f File) []decodedObject {
	switch {
	case f.Path == ConfigFile:
		c, err := parseConfig(f.Data)
		if err != nil {
			b.problem(f.Path, 1, "%v", err)
		}
		b.snap.Config = c
		return nil
	case underDir(f.Path, b.opts.PolicyPath):
		if strings.HasSuffix(f.Path, ".rego") {
			b.snap.Policies[f.Path] = string(f.Data)
		}
		return nil
	case !isManifest(f.Path) || !b.inPaths(f.Path):
		return nil
	}
	var out []decodedObject
	for _, doc := range splitDocuments(f.Data) {
		m, err := decodeDocument(doc.data)
		if err != nil {
			b.problem(f.Path, doc.line, "invalid YAML: %v", err)
			continue
		}
		objs := b.expand(f.Path, doc.line, m)
		if len(objs) == 1 {
			objs[0].doc = doc.data // List items share a document: their lines stay the list's
		}
		out = append(out, objs...)
	}
	return out
}

// expand unpacks v1 List kinds and sorts out documents that are not objects.
func (b *builder) expand(file string, line int, m map[string]any) []decodedObject {
	if m == nil {
		return nil
	}
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	if apiVersion == "" && kind == "" {
		b.snap.Warnings = append(b.snap.Warnings, fmt.Sprintf("%s:%d: not a Kubernetes object (no apiVersion and kind), skipped", file, line))
		return nil
	}
	if items, ok := m["items"].([]any); ok && strings.HasSuffix(kind, "List") {
		var out []decodedObject
		for _, it := range items {
			if im, ok := it.(map[string]any); ok {
				out = append(out, b.expand(file, line, im)...)
			} else {
				b.problem(file, line, "%s item is not an object", kind)
			}
		}
		return out
	}
	return []decodedObject{{path: file, line: line, obj: m}}
}

func (b *builder) add(d decodedObject, scope Scope) {
	apiVersion, _ := d.obj["apiVersion"].(string)
	kind, _ := d.obj["kind"].(string)
	meta, _ := d.obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	namespace, _ := meta["namespace"].(string)
	switch {
	case apiVersion == "":
		b.problem(d.path, d.line, "missing apiVersion")
		return
	case kind == "":
		b.problem(d.path, d.line, "missing kind")
		return
	case name == "":
		b.problem(d.path, d.line, "%s without metadata.name (generateName is not supported in git)", kind)
		return
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		b.problem(d.path, d.line, "invalid apiVersion %q: %v", apiVersion, err)
		return
	}
	gk := schema.GroupKind{Group: gv.Group, Kind: kind}
	namespaced, _ := scope.Namespaced(gk)
	if !namespaced && namespace != "" {
		b.problem(d.path, d.line, "%s is cluster-scoped but declares namespace %q", kind, namespace)
		return
	}
	if namespaced && namespace == "" {
		namespace = b.opts.DefaultNamespace
		meta["namespace"] = namespace
	}
	key := Key{Group: gv.Group, Kind: kind, Namespace: namespace, Name: name}
	if prev, dup := b.snap.objects[key]; dup {
		b.problem(d.path, d.line, "duplicate %s (also declared at %s)", key, prev.Source())
		return
	}
	normalize(key, d.obj)
	b.snap.objects[key] = &Object{Key: key, APIVersion: apiVersion, Object: d.obj, Path: d.path, Line: d.line, doc: d.doc}
	b.snap.kinds[gk] = true
	if namespace != "" {
		b.snap.namespaces[namespace] = true
	}
	if gk == (schema.GroupKind{Kind: "Namespace"}) {
		b.snap.namespaces[name] = true
	}
}

// normalize folds a Secret's write-only stringData into data, as the API server does.
func normalize(k Key, obj map[string]any) {
	if k.Group != "" || k.Kind != "Secret" {
		return
	}
	sd, ok := obj["stringData"].(map[string]any)
	if !ok {
		return
	}
	data, _ := obj["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	for key, v := range sd {
		s, _ := v.(string)
		data[key] = base64.StdEncoding.EncodeToString([]byte(s))
	}
	obj["data"] = data
	delete(obj, "stringData")
}

func isManifest(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return path.Base(p) != "kustomization.yaml" && path.Base(p) != "kustomization.yml"
	}
	return false
}

func (b *builder) inPaths(p string) bool {
	for _, dir := range b.opts.Paths {
		if underDir(p, dir) {
			return true
		}
	}
	return false
}

func underDir(p, dir string) bool {
	dir = strings.Trim(path.Clean(dir), "/")
	return dir == "." || dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
}

// ErrNoObjects is returned by callers that refuse an empty index.
var ErrNoObjects = errors.New("no Kubernetes objects found")

package gitindex

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex/helm"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// File is one file of a commit, as Build reads it: the type lives with the
// source that lists a commit's files (source.CommitFiles, Source.Files).
type File = source.File

// BuildError lists every problem found in a commit; the snapshot is rejected.
type BuildError struct {
	Commit   string
	Problems []string // "path:line: message"
	// Limit is the bound the commit exceeded, if that is why it was rejected.
	Limit *LimitError
}

// Unwrap returns the *LimitError, if any.
func (e *BuildError) Unwrap() error {
	if e.Limit == nil {
		return nil
	}
	return e.Limit
}

func (e *BuildError) Error() string {
	short := e.Commit
	if len(short) > 7 {
		short = short[:7]
	}
	return fmt.Sprintf("commit %s rejected: %s", short, strings.Join(e.Problems, "; "))
}

// Build indexes the files of one commit into a Snapshot. It is all-or-nothing: any
// problem in any manifest or kustomization rejects the whole commit with a
// *BuildError. Files that the root .sourceignore matches are left out.
func Build(commit string, files []File, opts BuildOptions) (*Snapshot, error) {
	return BuildContext(context.Background(), commit, files, opts)
}

// BuildContext is Build, stopped when ctx ends: between documents and units,
// and at kustomize's next file access (a render's CPU between two accesses
// cannot be interrupted). The error then wraps ctx.Err().
func BuildContext(ctx context.Context, commit string, files []File, opts BuildOptions) (*Snapshot, error) {
	opts.Default()
	b := newBuilder(commit, files, opts)
	b.ctx = ctx
	if !b.budget.checkBytes(b.tree) {
		return nil, b.overLimit()
	}
	units := b.plan()
	b.load(units)
	units = b.dropBases(units)
	units = append(units, b.renderCharts(units)...)
	scope := Scope(ChainScope{opts.Scope, crdScope(crdsOf(units)), BuiltinScope{}})
	b.revalidate(units, scope)
	if b.budget.over() {
		return nil, b.overLimit()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("build %s: %w", source.ShortHash(commit), err)
	}
	b.index(units, scope)
	plurals := crdPlurals(crdsOf(units))
	for gk, plural := range plurals {
		b.snap.crdKinds[schema.GroupResource{Group: gk.Group, Resource: plural}] = gk.Kind
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
	b.snap.derive()
	return b.snap, nil
}

type builder struct {
	opts     BuildOptions
	snap     *Snapshot
	tree     *fileTree
	compact  *compactor
	origins  *origins // made on the first render
	problems []string
	budget   *budget
	ctx      context.Context // ends the build early
}

// stopped reports whether the build must stop: its context ended or a bound was exceeded.
func (b *builder) stopped() bool { return b.ctx.Err() != nil || b.budget.over() }

// overLimit is the rejection of a commit over one of its Limits.
func (b *builder) overLimit() *BuildError {
	limit := b.budget.exceeded.Load()
	return &BuildError{Commit: b.snap.Commit, Problems: []string{limit.Error()}, Limit: limit}
}

func newBuilder(commit string, files []File, opts BuildOptions) *builder {
	size := 0
	if opts.Previous != nil {
		size = opts.Previous.Len() // most likely about the same
	}
	return &builder{ctx: context.Background(), opts: opts, tree: newFileTree(files), compact: newCompactor(), budget: &budget{limits: opts.Limits}, snap: &Snapshot{
		Repo: source.Redact(opts.Repo), Commit: commit, PolicyPath: opts.PolicyPath, Policies: map[string]string{},
		objects: make(map[Key]*Object, size), kinds: map[schema.GroupKind]bool{}, namespaces: map[string]bool{},
		resources: map[schema.GroupResource]string{}, crdKinds: map[schema.GroupResource]string{}, units: make(map[string]*unitRecord, len(files)),
	}}
}

type decodedObject struct {
	path   string
	line   int
	obj    map[string]any
	src    *sourceText // the file's text, for LineOf; nil for generated objects
	span   [2]int      // the object's document in src
	origin bool        // a kustomization took it from path and may have changed it
	item   bool        // src's span is its item of a List document (a one-item sequence)
	edits  *editChain  // the patches, images and replicas entries applied to it
	// locator, release and namespace are a chart's object's: where its fields
	// are set, its HelmRelease, and the namespace it goes to if it names none.
	locator   *helm.Locator
	release   string
	namespace string
}

func (b *builder) problem(file string, line int, format string, args ...any) {
	b.problems = append(b.problems, fmt.Sprintf("%s:%d: %s", file, line, fmt.Sprintf(format, args...)))
}

// objectProblem reports a problem with an object of unit u declared at
// file:line; one a kustomization rendered from another file (a base that other
// kustomizations may use too) also names the kustomization.
func (b *builder) objectProblem(u *unit, file string, line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if k := renderer(u, file); k != "" {
		msg += " (rendered by " + k + ")"
	}
	b.problem(file, line, "%s", msg)
}

// renderer returns u's kustomization if it rendered an object from another file.
func renderer(u *unit, file string) string {
	if u == nil || !u.kustomize || file == u.path {
		return ""
	}
	return u.path
}

// add checks a freshly decoded object of unit u, defaults its namespace and indexes it.
func (b *builder) add(u *unit, d decodedObject, scope Scope) *Object {
	apiVersion, _ := d.obj["apiVersion"].(string)
	kind, _ := d.obj["kind"].(string)
	meta, _ := d.obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	namespace, _ := meta["namespace"].(string)
	switch {
	case apiVersion == "":
		b.objectProblem(u, d.path, d.line, "missing apiVersion")
		return nil
	case kind == "":
		b.objectProblem(u, d.path, d.line, "missing kind")
		return nil
	case name == "":
		b.objectProblem(u, d.path, d.line, "%s without metadata.name (generateName is not supported in git)", kind)
		return nil
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		b.objectProblem(u, d.path, d.line, "invalid apiVersion %q: %v", apiVersion, err)
		return nil
	}
	gk := schema.GroupKind{Group: gv.Group, Kind: kind}
	namespaced, _ := scope.Namespaced(gk)
	if !namespaced && namespace != "" {
		b.objectProblem(u, d.path, d.line, "%s is cluster-scoped but declares namespace %q", kind, namespace)
		return nil
	}
	defaulted := namespaced && namespace == "" && d.namespace == ""
	if namespaced && namespace == "" {
		namespace = cmp.Or(d.namespace, b.opts.DefaultNamespace)
		meta["namespace"] = namespace
	}
	key := Key{Group: gv.Group, Kind: kind, Namespace: namespace, Name: name}
	normalize(key, d.obj)
	o := &Object{Key: key, APIVersion: apiVersion, Object: b.compact.object(d.obj), Path: d.path, Line: d.line, src: d.src,
		docStart: uint32(d.span[0]), docEnd: uint32(d.span[1]),
		edits: d.edits, namespaced: namespaced, defaulted: defaulted, origin: d.origin, listItem: d.item,
		locator: d.locator, Release: d.release}
	if !b.put(u, o) {
		return nil
	}
	return o
}

// put indexes an object of unit u, new or taken from the previous snapshot.
func (b *builder) put(u *unit, o *Object) bool {
	if prev, dup := b.snap.objects[o.Key]; dup {
		also, by := prev.Source(), ""
		if k := renderer(b.unitOf(prev, u), prev.Path); k != "" {
			also += ", rendered by " + k
		}
		if k := renderer(u, o.Path); k != "" {
			by = " rendered by " + k
		}
		b.problem(o.Path, o.Line, "duplicate %s%s (also declared at %s)", o.Key, by, also)
		return false
	}
	b.snap.objects[o.Key] = o
	b.snap.kinds[o.GroupKind()] = true
	if o.Namespace != "" {
		b.snap.namespaces[o.Namespace] = true
	}
	if o.GroupKind() == (schema.GroupKind{Kind: "Namespace"}) {
		b.snap.namespaces[o.Name] = true
	}
	return true
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
		return !source.IsKustomization(p)
	}
	return false
}

func (b *builder) inPaths(p string) bool {
	for _, dir := range b.opts.Paths {
		if source.UnderDir(p, dir) {
			return true
		}
	}
	return false
}

// ErrNoObjects is returned by callers that refuse an empty index.
var ErrNoObjects = errors.New("no Kubernetes objects found")

package gitindex

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

// Renderer decides what a commit applies in place of the kustomizations and
// manifests under BuildOptions.Paths: Flux mode (package gitindex/flux) renders
// the paths that the commit's Flux Kustomization objects apply, as Flux does.
// Build calls it once per commit, off the request path.
type Renderer interface {
	// Plan lists the renders of the commit, reading its files from files. An
	// error rejects the commit.
	Plan(ctx context.Context, files TreeReader) ([]Rendering, error)
}

// TreeReader reads the commit's files, as Build sees them (.sourceignore applied).
type TreeReader interface {
	// Paths returns every file's path, relative to the repository root, sorted.
	Paths() []string
	// ReadFile returns a file's content.
	ReadFile(p string) ([]byte, error)
}

// Rendering is one kustomize build of a directory of the commit, with a
// kustomization file of its own, and a step that finishes each object.
type Rendering struct {
	// Path and Line locate what asked for the render (a Flux Kustomization's
	// document): problems name them, and the fields its settings set point there.
	Path string
	Line int
	// Dir is the directory built, relative to the repository root.
	Dir string
	// KustomizationFile is the kustomization file in Dir that Kustomization
	// replaces (or adds) for this render only.
	KustomizationFile string
	Kustomization     []byte
	// Settings is the YAML document at Path, Line, and SettingsAt the path of a
	// mapping in it laid out like a kustomization: its patches and images entries
	// set fields, and SourceOf points such a field at the entry.
	Settings   []byte
	SettingsAt []string
	// Vars maps each variable Finish may substitute to the line of Path that sets
	// it: SourceOf points a field whose git text uses the variable there.
	Vars map[string]int
	// NameLine and NamespaceLine are the lines of Path that set the objects'
	// name prefix or suffix, and their namespace (0: none): SourceOf points
	// metadata.name and metadata.namespace there when they differ from git's text.
	NameLine, NamespaceLine int
	// Finish, if set, returns each rendered object as it is to be indexed (the
	// argument may be changed and returned).
	Finish func(ctx context.Context, obj map[string]any) (map[string]any, error)
}

// treeReader gives a Renderer the commit's files.
type treeReader struct{ tree *fileTree }

var _ TreeReader = treeReader{}

// Paths implements TreeReader.
func (c treeReader) Paths() []string {
	out := make([]string, len(c.tree.sorted))
	for i, f := range c.tree.sorted {
		out[i] = f.Path
	}
	return out
}

// ReadFile implements TreeReader.
func (c treeReader) ReadFile(p string) ([]byte, error) {
	f := c.tree.byPath[p]
	if f == nil {
		return nil, fmt.Errorf("read %s: no such file in the commit", p)
	}
	return c.tree.data(f)
}

// planRenderings lists the units of a commit whose Renderer decides what it
// applies: one per Rendering, never reused by the next Build (a render may
// read more than the commit, e.g. values from the cluster).
func (b *builder) planRenderings() []*unit {
	rs, err := b.opts.Render.Plan(b.ctx, treeReader{b.tree})
	if err != nil {
		b.problems = append(b.problems, err.Error())
		return nil
	}
	units := make([]*unit, 0, len(rs))
	for i := range rs {
		r := &rs[i]
		r.Dir = strings.Trim(path.Clean(r.Dir), "/")
		units = append(units, &unit{path: r.Path, kustomize: true, rendering: r})
	}
	return units
}

// finish runs the rendering's Finish on an object kustomize rendered.
func (u *unit) finish(ctx context.Context, obj map[string]any) (map[string]any, error) {
	if u.rendering == nil || u.rendering.Finish == nil {
		return obj, nil
	}
	return u.rendering.Finish(ctx, obj)
}

// renderingEdits returns the entries of a rendering's settings that set fields,
// and one edit per variable it substitutes, with the lines they are at in its file.
func (x *origins) renderingEdits(r *Rendering) []edit {
	if r == nil {
		return nil
	}
	var out []edit
	if node := settingsNode(r.Settings, r.SettingsAt); node != nil {
		out = x.editsOf(r.Path, path.Dir(r.Path), node)
		for i := range out {
			if out[i].file == r.Path {
				out[i].line += r.Line - 1
			}
		}
	}
	if r.NameLine > 0 {
		out = append(out, edit{kind: editName, file: r.Path, line: r.NameLine})
	}
	if r.NamespaceLine > 0 {
		out = append(out, edit{kind: editNamespace, file: r.Path, line: r.NamespaceLine})
	}
	for _, name := range slices.Sorted(maps.Keys(r.Vars)) {
		out = append(out, edit{kind: editVar, file: r.Path, line: r.Vars[name], name: name})
	}
	return out
}

// withRendering returns c with the edits of the rendering r as its last level
// (applied last: a Flux Kustomization's patches after those of the kustomization
// it merges them into, its substitutions after everything), shared by the
// objects rendered through the same kustomizations.
func (x *origins) withRendering(c *editChain, r *Rendering) *editChain {
	if r == nil {
		return c
	}
	key := renderingKey{c, r}
	if got, ok := x.rendered[key]; ok {
		return got
	}
	lvl, ok := x.renderings[r]
	if !ok {
		lvl = x.renderingEdits(r)
		x.renderings[r] = lvl
	}
	out := c
	if len(lvl) > 0 {
		out = &editChain{}
		if c != nil {
			out.levels = append(out.levels, c.levels...)
		}
		out.levels = append(out.levels, lvl)
	}
	x.rendered[key] = out
	return out
}

// renderingKey identifies a chain of edits extended with a rendering's.
type renderingKey struct {
	chain *editChain
	r     *Rendering
}

// usedAt reports whether git's text of the field at segs uses the variable e
// names, as ${name} or ${name:=default} and the like.
func (e *edit) usedAt(o *Object, segs []string) bool {
	res, ok := o.find(o.document(), segs)
	if !ok || !res.Found || !res.Scalar {
		return false
	}
	for rest := res.Value; ; {
		i := strings.Index(rest, "${"+e.name)
		if i < 0 {
			return false
		}
		rest = rest[i+2+len(e.name):]
		if rest == "" || strings.ContainsRune("}:-=+?", rune(rest[0])) {
			return true
		}
	}
}

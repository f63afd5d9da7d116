package gitindex

import (
	"fmt"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// unit is what yields objects: a plain manifest file, or a kustomization root
// (a kustomization under Paths that no other one below Paths contains).
type unit struct {
	path      string // the manifest, or the kustomization file
	kustomize bool
	hash      string       // a manifest's blob hash; a chart's inputs' digest
	rendering *Rendering   // what a Renderer asked to build (the kustomization then is its)
	chart     *chartSource // a HelmRelease's chart (a unit renderCharts made)
	file      *File        // a manifest
	data      []byte       // a manifest's content, once read
	readErr   error

	deps     map[string]string // a kustomization's inputs: path → state when rendered
	volatile bool              // the render listed a directory: never reuse it
	failed   bool              // the render failed
	pending  bool              // reused as a base with no objects: render if kept
	cost     int64             // the estimated memory of its objects (see docCost)

	decoded  []decodedObject // fresh objects, before add
	reused   []*Object       // objects taken from the previous snapshot
	objects  []*Object       // the unit's objects in this snapshot
	warnings []string
	problems []string
}

func (u *unit) problem(line int, format string, args ...any) {
	u.problems = append(u.problems, fmt.Sprintf("%s:%d: %s", u.path, line, fmt.Sprintf(format, args...)))
}

// plan reads the settings and policies and lists the units in path order.
func (b *builder) plan() []*unit {
	var roots map[string]bool
	charts := b.tree.chartDirs()
	var units []*unit
	if b.opts.Render != nil {
		units = b.planRenderings() // only what the Renderer names is applied
	} else {
		roots = b.kustomizationRoots()
	}
	for _, f := range b.tree.sorted {
		switch {
		case f.Path == ConfigFile:
			b.config(f)
		case source.UnderDir(f.Path, b.opts.PolicyPath):
			if strings.HasSuffix(f.Path, ".rego") {
				data, err := b.tree.data(f)
				if err != nil {
					b.problem(f.Path, 1, "%v", err)
				}
				b.snap.Policies[f.Path] = string(data)
			}
		case b.opts.Render != nil:
		case roots[f.Path]:
			units = append(units, &unit{path: f.Path, kustomize: true})
		case isManifest(f.Path) && b.inPaths(f.Path) && !underAny(f.Path, roots) && !source.UnderAnyDir(f.Path, charts):
			units = append(units, &unit{path: f.Path, hash: f.Hash, file: f})
		}
	}
	return units
}

func (b *builder) config(f *File) {
	data, err := b.tree.data(f)
	if err == nil {
		b.snap.Config, err = parseConfig(data)
	}
	if err != nil {
		b.problem(f.Path, 1, "%v", err)
	}
}

// kustomizationRoots returns the kustomization files under Paths (outside the
// policies) that are not below another one's directory; one per directory.
func (b *builder) kustomizationRoots() map[string]bool {
	var candidates []string
	for _, f := range b.tree.sorted {
		if source.IsKustomization(f.Path) && b.inPaths(f.Path) && !source.UnderDir(f.Path, b.opts.PolicyPath) {
			candidates = append(candidates, f.Path)
		}
	}
	roots := map[string]bool{}
	for _, c := range candidates {
		nested := false
		for _, other := range candidates {
			d, od := path.Dir(c), path.Dir(other)
			if other != c && source.UnderDir(d, od) && (d != od || other < c) {
				nested = true
			}
		}
		if !nested {
			roots[c] = true
		}
	}
	return roots
}

// underAny reports whether p lies in the directory of one of the kustomizations.
func underAny(p string, kustomizations map[string]bool) bool {
	for k := range kustomizations {
		if source.UnderDir(p, path.Dir(k)) {
			return true
		}
	}
	return false
}

// load takes each unit from the previous snapshot, or decodes (in parallel:
// decoding is pure) or renders it.
func (b *builder) load(units []*unit) {
	var decode []*unit
	for _, u := range units {
		if b.stopped() {
			return
		}
		switch {
		case b.reuse(u):
		case u.kustomize:
			b.produce(u)
		default:
			b.read(u) // here: files are read on the caller's goroutine
			decode = append(decode, u)
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(decode)/16+1) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(decode)) && !b.stopped(); i = next.Add(1) - 1 {
				b.produce(decode[i])
			}
		})
	}
	wg.Wait()
}

// read reads a manifest's content.
func (b *builder) read(u *unit) {
	if u.data == nil && u.file != nil && u.readErr == nil {
		u.data, u.readErr = b.tree.data(u.file)
	}
}

func (b *builder) produce(u *unit) {
	u.decoded, u.reused, u.warnings, u.problems, u.pending, u.cost = nil, nil, nil, nil, false, 0
	if u.chart != nil {
		if fresh := b.renderFresh(u.chart.hr, u.chart.repositories); fresh != nil {
			u.decoded, u.cost = fresh.decoded, fresh.cost
		}
		return
	}
	if u.kustomize {
		b.render(u)
		return
	}
	b.read(u)
	if u.readErr != nil {
		u.problem(1, "%v", u.readErr)
		return
	}
	var text *sourceText
	for _, doc := range splitDocuments(u.data) {
		cost := docCost(len(doc.data))
		if b.ctx.Err() != nil || !b.budget.charge(0, cost) {
			return
		}
		u.cost += cost
		m, err := decodeDocument(doc.data)
		if err != nil {
			u.problem(doc.line, "invalid YAML: %v", err)
			continue
		}
		objs := expand(u, doc.line, m)
		if !b.budget.charge(len(objs), 0) {
			return
		}
		if text == nil && len(objs) > 0 {
			text = compressText(u.data)
		}
		if _, list := m["items"]; list && objs != nil {
			placeItems(objs, doc, text) // each item at its own line, if they can be told apart
		} else if len(objs) == 1 {
			objs[0].src, objs[0].span = text, [2]int{doc.start, doc.end}
		}
		u.decoded = append(u.decoded, objs...)
	}
}

// expand unpacks v1 List kinds and sorts out documents that are not objects.
func expand(u *unit, line int, m map[string]any) []decodedObject {
	if m == nil {
		return nil
	}
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	if apiVersion == "" && kind == "" {
		u.warnings = append(u.warnings, fmt.Sprintf("%s:%d: not a Kubernetes object (no apiVersion and kind), skipped", u.path, line))
		return nil
	}
	if items, ok := m["items"].([]any); ok && strings.HasSuffix(kind, "List") {
		var out []decodedObject
		for _, it := range items {
			if im, ok := it.(map[string]any); ok {
				out = append(out, expand(u, line, im)...)
			} else {
				u.problem(line, "%s item is not an object", kind)
			}
		}
		return out
	}
	return []decodedObject{{path: u.path, line: line, obj: m}}
}

// dropBases leaves out the kustomizations that another one, rendered without
// error, uses as a base or component: their objects reach the snapshot through it.
func (b *builder) dropBases(units []*unit) []*unit {
	used := map[string]bool{}
	for _, u := range units {
		if !u.kustomize || u.failed {
			continue
		}
		for p, state := range u.deps {
			if p != u.path && source.IsKustomization(p) && state != "" && state != dirState {
				used[p] = true
			}
		}
	}
	kept := units[:0]
	for _, u := range units {
		if used[u.path] {
			b.recordBase(u)
			continue
		}
		if u.pending {
			b.produce(u)
		}
		kept = append(kept, u)
	}
	return kept
}

// index adds every unit's objects, problems and warnings, in path order.
func (b *builder) index(units []*unit, scope Scope) {
	for _, u := range units {
		b.problems = append(b.problems, u.problems...)
		b.snap.Warnings = append(b.snap.Warnings, u.warnings...)
		if u.reused != nil {
			for _, o := range u.reused {
				if b.put(u, o) {
					u.objects = append(u.objects, o)
				}
			}
		} else {
			for _, d := range u.decoded {
				if o := b.add(u, d, scope); o != nil {
					u.objects = append(u.objects, o)
				}
			}
		}
		b.record(u)
	}
}

// unitOf returns the unit that indexed o: one recorded already, else current.
// It runs only for messages.
func (b *builder) unitOf(o *Object, current *unit) *unit {
	for p, rec := range b.snap.units {
		if slices.Contains(rec.objects, o) {
			return &unit{path: p, kustomize: rec.kustomize}
		}
	}
	return current
}

// crdsOf returns the CustomResourceDefinitions among the units' objects.
func crdsOf(units []*unit) []map[string]any {
	var out []map[string]any
	for _, u := range units {
		for _, d := range u.decoded {
			if d.obj["kind"] == "CustomResourceDefinition" {
				out = append(out, d.obj)
			}
		}
		for _, o := range u.reused {
			if o.Kind == "CustomResourceDefinition" {
				out = append(out, o.Object)
			}
		}
	}
	return out
}

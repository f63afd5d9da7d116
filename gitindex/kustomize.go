package gitindex

import (
	"fmt"
	"path"
	"regexp"

	"golang.org/x/sync/semaphore"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
)

// kustomizeSem lets renders run side by side (the render of an abandoned
// build never holds up the next build's), except the render of a commit whose
// kustomizations set `openapi:`: kyaml keeps that schema in package state, so
// such a render takes the whole semaphore and resets the schema after it.
var kustomizeSem = semaphore.NewWeighted(kustomizeAlone)

const kustomizeAlone = 1 << 20

// setsOpenAPI finds a top-level openapi field in a kustomization.
var setsOpenAPI = regexp.MustCompile(`(?m)^openapi\s*:`)

// render runs kustomize on the unit's directory over an in-memory copy of the
// commit, with plugins and remote bases refused, and records every path it looked
// at so that the next Build can tell whether rendering again could change anything.
// Its objects point at the file and document they came from (see origins), or at
// the kustomization file, line 1, when that cannot be told.
func (b *builder) render(u *unit) {
	dir, line := path.Dir(u.path), 1
	fs := &recordingFS{FileSystem: b.tree.memFS(), tree: b.tree, deps: map[string]string{}, root: path.Join("/", dir), ctx: b.ctx, budget: b.budget}
	if r := u.rendering; r != nil {
		dir, line = r.Dir, r.Line
		fs.root, fs.overlay, fs.overlayData = path.Join("/", dir), path.Join("/", dir, r.KustomizationFile), r.Kustomization
	}
	objs, cost, err := runKustomize(fs, b.budget)
	u.deps, u.volatile, u.failed, u.cost = fs.deps, fs.volatile || u.rendering != nil, err != nil, cost
	if b.budget.over() {
		return
	}
	if err != nil {
		u.problem(line, "kustomize build %s: %v", dir, err)
		return
	}
	if b.origins == nil {
		b.origins = newOrigins(b.tree)
	}
	for _, r := range objs {
		obj, err := u.finish(b.ctx, r.obj)
		if err != nil {
			u.failed = true
			u.problem(line, "render %s: %v", dir, err)
			continue
		}
		decoded := expand(u, line, obj)
		if len(decoded) == 1 {
			b.origins.place(&decoded[0], dir, r.origin)
			decoded[0].edits = b.origins.withRendering(b.origins.chain(dir, r.via), u.rendering)
		}
		u.decoded = append(u.decoded, decoded...)
	}
}

// renderedObject is an object kustomize rendered, with its origin annotation
// (nil if it has none) and the kustomizations whose patches, images or
// replicas entries applied to it, in order (relative to the directory built).
type renderedObject struct {
	obj    map[string]any
	origin *resource.Origin
	via    []string
}

// runKustomize renders the kustomization at fs.root, charging each object to
// bud before decoding it; cost is what it charged.
func runKustomize(fs *recordingFS, bud *budget) (objs []renderedObject, cost int64, err error) {
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone // ../ stays inside the in-memory commit
	opts.PluginConfig = types.DisabledPluginConfig()
	weight := int64(1)
	if fs.tree.setsOpenAPI() {
		weight = kustomizeAlone
	}
	if err := kustomizeSem.Acquire(fs.ctx, weight); err != nil {
		return nil, 0, err
	}
	defer kustomizeSem.Release(weight)
	if weight == kustomizeAlone {
		defer openapi.ResetOpenAPI()
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kustomize failed: %v", r)
		}
	}()
	m, err := krusty.MakeKustomizer(opts).Run(fs, fs.root)
	bud.memory.Add(-fs.charged) // kustomize's working memory; its objects are charged below
	if fs.remote != nil {       // kustomize may have reported it as a missing kustomization
		return nil, 0, fs.remote
	}
	if err != nil {
		return nil, 0, err
	}
	resources := m.Resources()
	objs = make([]renderedObject, len(resources))
	for i, r := range resources {
		objs[i].origin, _ = r.GetOrigin() // an unreadable one: the kustomization's line 1
		objs[i].via = editedVia(r)
	}
	if err := removeBuildMetadata(m, fs.asked); err != nil {
		return nil, 0, err
	}
	for i, r := range resources {
		data, err := r.MarshalJSON()
		if err != nil {
			return nil, cost, fmt.Errorf("encode %s: %w", r.CurId(), err)
		}
		if !bud.charge(1, docCost(len(data))) {
			return nil, cost, bud.exceeded.Load()
		}
		cost += docCost(len(data))
		if err := utiljson.Unmarshal(data, &objs[i].obj); err != nil {
			return nil, cost, fmt.Errorf("decode %s: %w", r.CurId(), err)
		}
	}
	return objs, cost, nil
}

// removeBuildMetadata removes the annotations gitgate asked kustomize for and
// the kustomization did not, as kustomize removes them when not asked to keep them.
func removeBuildMetadata(m resmap.ResMap, asked buildMetadata) error {
	if !asked.origins {
		if err := m.RemoveOriginAnnotations(); err != nil {
			return fmt.Errorf("remove origin annotations: %w", err)
		}
	}
	if !asked.transformations {
		if err := m.RemoveTransformerAnnotations(); err != nil {
			return fmt.Errorf("remove transformer annotations: %w", err)
		}
	}
	return nil
}

// editingTransformers are the builtin transformers whose configuration says
// where a field was set: patches, images and replicas entries.
var editingTransformers = map[string]bool{"PatchStrategicMergeTransformer": true, "PatchTransformer": true,
	"PatchJson6902Transformer": true, "ReplicaCountTransformer": true, "ImageTagTransformer": true}

// editedVia returns the kustomizations (relative to the directory built) whose
// editing transformers kustomize applied to r, in the order it applied them. An
// unreadable annotation yields none: the fields point at the origin.
func editedVia(r *resource.Resource) []string {
	ts, _ := r.GetTransformations()
	var out []string
	for _, t := range ts {
		if t == nil || t.Repo != "" || !editingTransformers[t.ConfiguredBy.Kind] || t.ConfiguredBy.APIVersion != "builtin" {
			continue
		}
		if len(out) == 0 || out[len(out)-1] != t.ConfiguredIn {
			out = append(out, t.ConfiguredIn)
		}
	}
	return out
}

// memFS returns the commit's files as an in-memory file system rooted at "/",
// built once per Build: kustomize sees nothing outside the commit.
func (t *fileTree) memFS() filesys.FileSystem {
	if t.fs != nil {
		return t.fs
	}
	t.fs = filesys.MakeFsInMemory()
	for _, f := range t.sorted {
		data, err := t.data(f)
		if err != nil {
			continue // kustomize reports the missing file if it needs it
		}
		_ = t.fs.WriteFile("/"+f.Path, data) // fails only for a path that is also a directory
	}
	return t.fs
}

package gitindex

import (
	"path"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// unitRecord is what a snapshot remembers of a unit so that the next Build can
// take its objects instead of decoding or rendering it again.
type unitRecord struct {
	kustomize bool
	base      bool              // rendered, but left out as another kustomization's base
	hash      string            // a manifest's blob hash
	deps      map[string]string // a kustomization's inputs: path → state
	volatile  bool
	objects   []*Object
	warnings  []string
	cost      int64 // the estimated memory of objects, charged again when reused
}

// reuse takes the unit's objects from the previous snapshot if its inputs did not
// change.
func (b *builder) reuse(u *unit) bool {
	if b.opts.Previous == nil {
		return false
	}
	rec := b.opts.Previous.units[u.path]
	if rec == nil || rec.kustomize != u.kustomize {
		return false
	}
	if u.kustomize {
		if rec.volatile || !b.tree.unchanged(rec.deps) {
			return false
		}
		u.deps, u.pending = rec.deps, rec.base
	} else if rec.hash != u.hash {
		return false
	}
	u.reused, u.warnings, u.cost = rec.objects, rec.warnings, rec.cost
	b.budget.charge(len(rec.objects), rec.cost)
	return true
}

// revalidate decodes again the reused units whose objects would now be indexed
// differently: a CRD changed its kind's scope, or the default namespace changed.
func (b *builder) revalidate(units []*unit, scope Scope) {
	for _, u := range units {
		for _, o := range u.reused {
			namespaced, _ := scope.Namespaced(o.GroupKind())
			if namespaced != o.namespaced || (o.defaulted && o.Namespace != b.opts.DefaultNamespace) {
				b.produce(u)
				break
			}
		}
	}
}

// record remembers a unit of the snapshot for the next Build.
func (b *builder) record(u *unit) {
	if u.failed {
		return
	}
	b.snap.units[u.path] = &unitRecord{
		kustomize: u.kustomize, hash: u.hash, deps: u.deps, volatile: u.volatile,
		objects: u.objects, warnings: u.warnings, cost: u.cost,
	}
}

// recordBase remembers the inputs of a kustomization left out as a base, so that
// the next Build need not render it again to learn that.
func (b *builder) recordBase(u *unit) {
	if !u.failed {
		b.snap.units[u.path] = &unitRecord{kustomize: true, base: true, deps: u.deps, volatile: u.volatile}
	}
}

// fileTree is the commit's files that .sourceignore leaves in, by path.
type fileTree struct {
	sorted  []*File
	byPath  map[string]*File
	dirs    map[string]bool    // every directory holding a file; "" is the root
	fs      filesys.FileSystem // built on the first render
	openAPI *bool              // whether a kustomization sets openapi, once known
}

// setsOpenAPI reports whether a kustomization of the commit sets the openapi
// field (kustomize then changes package state: see kustomizeSem).
func (t *fileTree) setsOpenAPI() bool {
	if t.openAPI == nil {
		sets := false
		for _, f := range t.sorted {
			if source.IsKustomization(f.Path) {
				data, _ := t.data(f)
				sets = sets || setsOpenAPI.Match(data)
			}
		}
		t.openAPI = &sets
	}
	return *t.openAPI
}

// dirState is the state of a path that is a directory; a file's is its blob hash,
// a missing path's "".
const dirState = "/"

func newFileTree(files []File) *fileTree {
	ignore := source.IgnoreOf(files)
	t := &fileTree{byPath: make(map[string]*File, len(files)), dirs: map[string]bool{"": true}}
	own := make([]File, 0, len(files))
	for _, f := range files {
		if _, dup := t.byPath[f.Path]; dup || ignore.Ignored(f.Path) {
			continue
		}
		if f.Hash == "" {
			f.Hash = plumbing.ComputeHash(plumbing.BlobObject, f.Data).String()
		}
		own = append(own, f)
		t.byPath[f.Path] = &own[len(own)-1]
		for d := path.Dir(f.Path); d != "." && !t.dirs[d]; d = path.Dir(d) {
			t.dirs[d] = true
		}
	}
	t.sorted = make([]*File, len(own))
	for i := range own {
		t.sorted[i] = &own[i]
	}
	sort.Slice(t.sorted, func(i, j int) bool { return t.sorted[i].Path < t.sorted[j].Path })
	return t
}

// data returns a file's content, reading it if it was left unread.
func (t *fileTree) data(f *File) ([]byte, error) {
	return f.Read()
}

// state returns the state of a path relative to the repository root.
func (t *fileTree) state(p string) string {
	if f, ok := t.byPath[p]; ok {
		return f.Hash
	}
	if t.dirs[p] {
		return dirState
	}
	return ""
}

// unchanged reports whether every recorded path is in the same state now.
func (t *fileTree) unchanged(deps map[string]string) bool {
	for p, state := range deps {
		if t.state(p) != state {
			return false
		}
	}
	return true
}

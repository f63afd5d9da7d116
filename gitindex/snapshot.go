package gitindex

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex/helm"
)

// Key identifies an object independently of its apiVersion: git may declare a
// Deployment as apps/v1 while a request arrives in another version.
type Key struct {
	Group     string
	Kind      string
	Namespace string
	Name      string
}

// GroupKind returns the key's GroupKind.
func (k Key) GroupKind() schema.GroupKind { return schema.GroupKind{Group: k.Group, Kind: k.Kind} }

// String renders the key like kubectl: Kind.group namespace/name.
func (k Key) String() string {
	kind := k.Kind
	if k.Group != "" {
		kind += "." + k.Group
	}
	if k.Namespace == "" {
		return kind + " " + k.Name
	}
	return kind + " " + k.Namespace + "/" + k.Name
}

// Object is one declared object.
type Object struct {
	Key
	// APIVersion is the version git declares it in.
	APIVersion string
	// Object is the decoded object with git's values, its namespace defaulted and
	// a Secret's stringData folded into data. It must not be modified: equal
	// subtrees (labels, probes, resources...) are shared with other objects, and
	// unchanged objects with the next snapshot.
	Object map[string]any
	// Path is the file, relative to the repository root; Line the 1-based line of
	// the object's document in it. For an object a kustomization rendered, they are
	// where kustomize read it from: the resource file (in a base too) and its
	// document, or for a generated object the kustomization that configured it and
	// the generator's entry. When kustomize cannot tell, Path is the kustomization
	// file being built and Line 1.
	Path string
	Line int
	// Release is the HelmRelease (namespace/name) whose chart rendered the
	// object, "" for any other. Path and Line are then its template's (or its
	// HelmRelease's, for a template the commit does not hold as a file), and
	// SourceOf finds the template or values line of a field. Flux's
	// helm-controller applies such objects, never gitgate's applier.
	Release string

	src              *sourceText   // its file's text, for LineOf (nil: not kept)
	docStart, docEnd uint32        // its document in src
	edits            *editChain    // for SourceOf: what the kustomizations that rendered it set (nil: none)
	namespaced       bool          // the scope Build saw for its kind
	defaulted        bool          // its namespace is BuildOptions.DefaultNamespace, not git's
	origin           bool          // rendered by kustomize from the document at Line
	listItem         bool          // an item of a List: its text is a one-item sequence
	locator          *helm.Locator // a chart's object's field finder (nil: none)
}

// Source renders the object's location as path:line.
func (o *Object) Source() string { return fmt.Sprintf("%s:%d", o.Path, o.Line) }

// GroupVersionKind returns git's GroupVersionKind of the object.
func (o *Object) GroupVersionKind() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(o.APIVersion, o.Kind)
}

// Snapshot is the immutable index of one commit. All methods are safe for
// concurrent use; nothing in it is modified after Build returns.
type Snapshot struct {
	// Repo is the repository's URL or path as configured (for messages).
	Repo string
	// Commit is the full commit hash.
	Commit string
	// PolicyPath is the folder the policies were read from (BuildOptions.PolicyPath),
	// named in messages that suggest an exception.
	PolicyPath string
	// Policies maps file paths (relative to the repository root) to Rego source.
	Policies map[string]string
	// Config is the repository's .gitgate.yaml (zero if absent).
	Config Config
	// Warnings lists files that were skipped (not Kubernetes objects).
	Warnings []string

	objects    map[Key]*Object
	kinds      map[schema.GroupKind]bool
	namespaces map[string]bool
	resources  map[schema.GroupResource]string // → kind, plurals guessed where no CRD names them (RBAC only)
	crdKinds   map[schema.GroupResource]string // → kind, from the commit's CRDs: exact
	units      map[string]*unitRecord          // by manifest or kustomization path, for the next Build
	held       map[string]int                  // namespace → declared objects in it (derive)
	owners     map[Key][]Ownership             // who owns which paths of declared objects (derive)
	creators   map[string][]string             // namespace/name → who may create it undeclared (derive)
}

// KindFor returns the kind of an API resource as a CustomResourceDefinition of the
// commit names it (wdgts → Widget), so that subresource requests (scale) find
// their parent object. It never guesses a plural: resources no CRD of the commit
// defines (the built-in kinds, CRDs installed otherwise) are not found here, and
// the caller asks the API server's discovery instead.
func (s *Snapshot) KindFor(gr schema.GroupResource) (string, bool) {
	k, ok := s.crdKinds[gr]
	return k, ok
}

// Resources returns the resources of the kinds git declares (plurals from the
// commit's CRDs, else guessed from the kind as the API server's defaults do),
// sorted by group and resource.
func (s *Snapshot) Resources() []schema.GroupResource {
	out := make([]schema.GroupResource, 0, len(s.resources))
	for gr := range s.resources {
		out = append(out, gr)
	}
	slices.SortFunc(out, func(a, b schema.GroupResource) int {
		return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Resource, b.Resource))
	})
	return out
}

// Lookup returns git's object for k.
func (s *Snapshot) Lookup(k Key) (*Object, bool) {
	o, ok := s.objects[k]
	return o, ok
}

// ManagesKind reports whether git declares at least one object of gk.
func (s *Snapshot) ManagesKind(gk schema.GroupKind) bool { return s.kinds[gk] }

// Governs reports whether git declares the namespace or any object in it.
func (s *Snapshot) Governs(namespace string) bool { return s.namespaces[namespace] }

// Len returns the number of indexed objects.
func (s *Snapshot) Len() int { return len(s.objects) }

// ShortCommit returns the first 7 characters of the commit hash.
func (s *Snapshot) ShortCommit() string {
	if len(s.Commit) > 7 {
		return s.Commit[:7]
	}
	return s.Commit
}

// Objects returns every object, ordered by path, line and key.
func (s *Snapshot) Objects() []*Object {
	out := make([]*Object, 0, len(s.objects))
	for _, o := range s.objects {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Key.String() < out[j].Key.String() // objects a kustomization rendered
	})
	return out
}

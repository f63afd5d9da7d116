package revision

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/policy"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// Revision is one commit made ready to judge: its snapshot, the policy compiled
// from the same commit, and the comparison configured with the schemas of the
// kinds it declares. It is immutable; build one with New (a literal has no
// Comparer).
type Revision struct {
	Snapshot *gitindex.Snapshot
	Policy   *policy.Engine
	// Comparer is the comparison of this revision (webhook, applier, drift scan
	// and check use it), with every declared object's desired state prepared.
	Comparer *drift.Comparer
	// Tenants are the sync identities the commit's Flux Kustomizations derive
	// (spec.serviceAccountName), each for the objects under its spec.path.
	Tenants Tenants

	// missing are the custom kinds the snapshot declares whose schema could not
	// be resolved when the revision was built: they compare structurally.
	missing []schema.GroupVersionKind
}

// Options configures New.
type Options struct {
	// Schemas resolves, when the revision is built, the schemas of the kinds the
	// built-in schemas do not know (custom resources). Default FromCommit: the
	// CustomResourceDefinitions the commit itself declares.
	Schemas SchemaSource
	// Policy configures compiling the commit's Rego; the zero value means
	// policy's defaults.
	Policy policy.Options
	// Previous, if set, is the revision the new one replaces: the desired states
	// of the objects both declare are reused instead of computed again.
	Previous *Revision
}

// Validate reports invalid options.
func (o Options) Validate() error {
	if err := o.Policy.Validate(); err != nil {
		return fmt.Errorf("policy options: %w", err)
	}
	return nil
}

// New builds the revision of snap: it compiles the commit's policy, resolves the
// schemas of the custom kinds it declares and prepares the desired state of every
// object. It does CPU work and, with FromCluster schemas, I/O: call it off the
// request path. An error rejects the commit.
func New(ctx context.Context, snap *gitindex.Snapshot, opts Options) (*Revision, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("revision options: %w", err)
	}
	eng, err := policy.Compile(ctx, snap.Policies, opts.Policy)
	if err != nil {
		return nil, fmt.Errorf("compile policy at %s: %w", snap.ShortCommit(), err)
	}
	return assemble(ctx, snap, eng, opts), nil
}

// Refresh builds a revision of r's commit, with r's compiled policy, whose
// schemas are resolved again: ok is false when no schema r was missing has
// arrived since (r stays as good as it gets).
func Refresh(ctx context.Context, r *Revision, opts Options) (next *Revision, ok bool) {
	if len(r.missing) == 0 || !anyResolved(ctx, r, opts.Schemas) {
		return r, false
	}
	opts.Previous = r
	next = assemble(ctx, r.Snapshot, r.Policy, opts)
	return next, len(next.missing) < len(r.missing)
}

// anyResolved reports whether src resolves one of the kinds r is missing now:
// asking for those alone is cheap, rebuilding the revision is not.
func anyResolved(ctx context.Context, r *Revision, src SchemaSource) bool {
	if src == nil {
		src = FromCommit()
	}
	set := src.Resolve(ctx, r.Snapshot, r.missing)
	for _, gvk := range r.missing {
		if set.Type(gvk).Known() {
			return true
		}
	}
	return false
}

// MissingSchemas returns the custom kinds r declares whose schema was not
// resolved when r was built.
func (r *Revision) MissingSchemas() []schema.GroupVersionKind { return r.missing }

// assemble configures the comparison of snap (the only place it is configured)
// and prepares its desired states.
func assemble(ctx context.Context, snap *gitindex.Snapshot, eng *policy.Engine, opts Options) *Revision {
	custom := customKinds(snap)
	src := opts.Schemas
	if src == nil {
		src = FromCommit()
	}
	set := drift.SchemaSet{}
	if len(custom) > 0 {
		set = src.Resolve(ctx, snap, custom)
	}
	cmp := drift.New(drift.Chain{builtin, set})
	if opts.Previous != nil {
		cmp.Inherit(opts.Previous.Comparer)
	}
	cmp.Prepare(snap.Objects())
	r := &Revision{Snapshot: snap, Policy: eng, Comparer: cmp, Tenants: deriveTenants(snap)}
	for _, gvk := range custom {
		if !set.Type(gvk).Known() {
			r.missing = append(r.missing, gvk)
		}
	}
	return r
}

// builtin resolves the built-in kinds' schemas, which are compiled into the
// binary and so the same for every revision; it caches what it resolves.
var builtin = drift.NewBuiltinSchemas()

// customKinds are the kinds snap declares that the built-in schemas do not know,
// each once.
func customKinds(snap *gitindex.Snapshot) []schema.GroupVersionKind {
	seen := map[schema.GroupVersionKind]bool{}
	var out []schema.GroupVersionKind
	for _, o := range snap.Objects() {
		gvk := o.GroupVersionKind()
		if seen[gvk] {
			continue
		}
		seen[gvk] = true
		if !builtin.Type(gvk).Known() {
			out = append(out, gvk)
		}
	}
	return out
}

package webhook

import (
	"context"
	"sort"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
	"github.com/gitgate-dev/gitgate/policy"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// Decisions recorded in audit lines, metrics and auditAnnotations.
const (
	DecisionAllowed  = "allowed"
	DecisionDenied   = "denied"
	DecisionWarned   = "warned"
	DecisionAudited  = "audited"
	DecisionExcepted = "excepted"
)

// Whole-object drift items use these paths.
const (
	PathDelete   = "" // DELETE of a managed object: declared
	PathNotInGit = "" // CREATE of an object git does not declare: not declared
)

// verdict is the outcome of decide.
type verdict struct {
	decision   string
	mode       string
	desired    *gitindex.Object
	violations []drift.Change // drift not covered by an exception
	forbidden  []drift.Change // changes to gitgate's own metadata (rule 6), never excepted
	excepted   []policy.Exception
	expired    []policy.Exception
	policyDeny []string
	warnings   []string
	policyErr  error
	breakGlass string
	notInGit   bool
	source     string // where in git to change it (gitSource), set by respond
	notes      map[string]string
}

func (v *verdict) drifted() bool {
	return len(v.violations) > 0 || len(v.forbidden) > 0 || len(v.policyDeny) > 0 || v.policyErr != nil
}

func (h *Handler) decide(ctx context.Context, rev *Revision, in *input) *verdict {
	snap := rev.Snapshot
	v := &verdict{mode: h.opts.Mode}
	if m := snap.Config.ModeFor(in.key.Namespace); m != "" {
		v.mode = m
	}
	desired, declared := snap.Lookup(in.key)
	// Cluster controllers copy a parent's labels onto what they create and keep
	// (a Service's onto its Endpoints and EndpointSlices, so an applied Service's
	// gitgate.dev/managed label lands there): on objects git does not declare
	// that is no forgery.
	if declared || in.actor != actorController {
		v.forbidden = forgedMetadata(in, declared)
	}
	var f findings
	switch {
	case declared:
		v.desired = desired
		f = h.managed(ctx, snap, in, desired)
	case holdsDeclared(snap, in.operation(), in.key):
		f = namespaceDelete(snap, in)
	case h.undeclaredCreate(snap, in):
		v.notInGit = true
		f.add(drift.Change{Path: PathNotInGit}, "")
	}
	v.violations, v.notes = f.changes, f.notes
	if len(v.violations) > 0 && rev.Policy != nil {
		h.except(ctx, rev, in, v)
	}
	v.decision = finalDecision(v)
	return v
}

// findings are a request's violations, some with a note that explains them
// better than git's and the requested value do (keyed by path).
type findings struct {
	changes []drift.Change
	notes   map[string]string
}

func (f *findings) add(c drift.Change, note string) {
	f.changes = append(f.changes, c)
	if note == "" {
		return
	}
	if f.notes == nil {
		f.notes = map[string]string{}
	}
	f.notes[c.Path] = note
}

// managed returns the violations of a request on an object git declares.
func (h *Handler) managed(ctx context.Context, snap *gitindex.Snapshot, in *input, desired *gitindex.Object) findings {
	var f findings
	if h.subresourceViolations(&f, snap, in, desired) {
		return f
	}
	switch {
	case in.operation() == admissionv1.Delete:
		h.deleteDeclared(ctx, &f, in, desired)
	case in.operation() == admissionv1.Create:
		for _, c := range h.extras(in, in.cmp.Against(in.obj, in.cmp.DesiredOf(desired))) {
			f.add(c, "")
		}
		judgeIdentity(&f, nil, in.obj, desired.Object)
	case in.operation() != admissionv1.Update:
	default:
		h.violations(&f, snap, in, in.cmp.Diff(in.old, in.obj, in.cmp.DesiredOf(desired)))
		if h.merges(in) { // strict mode already judges every undeclared path
			judgeIdentity(&f, in.old, in.obj, desired.Object)
		}
	}
	return f
}

// merges reports whether paths git does not declare may change: in merge mode,
// and for cluster controllers.
func (h *Handler) merges(in *input) bool { return h.opts.Merge || in.actor == actorController }

// violations keeps the changes that are neither toward git nor allowed
// undeclared: in merge mode, and for controllers, a path git does not declare
// may change, except ownerReferences and finalizers (judgeIdentity). A path an
// owner owns moves only by that owner (judgeOwned), and an owner changes
// nothing else.
func (h *Handler) violations(f *findings, snap *gitindex.Snapshot, in *input, changes []drift.Change) {
	merge := h.merges(in)
	owners := snap.Owners(in.key)
	onlyOwned := ownerOnly(in, owners)
	for _, c := range changes {
		owning := ownersAt(owners, c.Path)
		switch {
		case merge && identityPath(c.Path) || unchanged(c):
		case len(owning) > 0:
			judgeOwned(f, in, c, owning)
		case onlyOwned != "":
			f.add(c, onlyOwned)
		case c.TowardGit() || (!c.Declared && merge):
		default:
			f.add(c, "")
		}
	}
}

// extras drops from a CREATE's changes what judgeIdentity judges (owners and
// finalizers, in every mode) and, in merge mode or for a controller, what it
// adds at paths git does not declare (gitgate's own metadata is judged apart,
// by rule 6).
func (h *Handler) extras(in *input, changes []drift.Change) []drift.Change {
	merge := h.merges(in)
	var out []drift.Change
	for _, c := range changes {
		if identityPath(c.Path) || (merge && !c.Declared) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// unchanged reports a change whose value did not change (a Scale that keeps the
// replicas); a map entry going from "" to absent did.
func unchanged(c drift.Change) bool {
	return drift.Equal(c.Old, c.New) && (c.Old == nil) == (c.New == nil)
}

// scaleChange turns a Scale update into the change of the parent's spec.replicas;
// an absent Scale.spec.replicas means 0.
func scaleChange(in *input, desired *gitindex.Object) drift.Change {
	replicas := func(obj map[string]any) any {
		spec, _ := obj["spec"].(map[string]any)
		if r, ok := spec["replicas"]; ok && r != nil {
			return r
		}
		return int64(0)
	}
	spec, _ := desired.Object["spec"].(map[string]any)
	git, declared := spec["replicas"]
	declared = declared && git != nil
	c := drift.Change{Path: "spec.replicas", Declared: declared, Git: git, Old: replicas(in.old), New: replicas(in.obj)}
	c.Repair = declared && drift.Equal(git, c.New)
	return c
}

// undeclaredCreate is rule 4: a non-controller creates an object git does not
// declare, of a kind git manages, in a namespace git governs (other than a copy
// an owner manages beside its target, gitindex.Snapshot.MayCreate).
func (h *Handler) undeclaredCreate(snap *gitindex.Snapshot, in *input) bool {
	return in.operation() == admissionv1.Create && in.sub == subNone && in.actor == actorHuman && !h.opts.AllowUnknown &&
		in.key.Namespace != "" && snap.Governs(in.key.Namespace) && snap.ManagesKind(in.key.GroupKind()) &&
		!snap.MayCreate(in.req.UserInfo.Username, in.key)
}

// finalDecision applies the mode to what is left after exceptions.
func finalDecision(v *verdict) string {
	switch {
	case v.drifted() && v.mode == ModeEnforce:
		return DecisionDenied
	case v.drifted() && v.mode == ModeWarn:
		return DecisionWarned
	case v.drifted():
		return DecisionAudited
	case len(v.excepted) > 0:
		return DecisionExcepted
	}
	return DecisionAllowed
}

// forgedMetadata is rule 6: any change by a non-sync identity that adds or alters
// gitgate's own labels or annotations. Dropping the applier's management label
// from a declared object is bookkeeping, not forgery (`kubectl replace -f` of
// git's own file does it; the applier puts it back).
func forgedMetadata(in *input, declared bool) []drift.Change {
	var out []drift.Change
	for _, field := range []string{"labels", "annotations"} {
		oldM := metaMap(in.old, field)
		newM := metaMap(in.obj, field)
		keys := make([]string, 0)
		for k := range newM {
			keys = append(keys, k)
		}
		for k := range oldM {
			if _, ok := newM[k]; !ok && in.operation() != admissionv1.Delete {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !strings.HasPrefix(k, vocab.Prefix) || vocab.SelfServe(k) || oldM[k] == newM[k] {
				continue
			}
			if _, kept := newM[k]; declared && field == "labels" && k == vocab.ManagedLabel && !kept {
				continue
			}
			path := "metadata." + field + `["` + k + `"]`
			out = append(out, drift.Change{Path: path, Old: nilIfEmpty(oldM, k), New: nilIfEmpty(newM, k)})
		}
	}
	return out
}

func metaMap(obj map[string]any, field string) map[string]string {
	meta, _ := obj["metadata"].(map[string]any)
	m, _ := meta[field].(map[string]any)
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, _ := v.(string)
		out[k] = s
	}
	return out
}

func nilIfEmpty(m map[string]string, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return nil
}

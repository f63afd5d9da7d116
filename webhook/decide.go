package webhook

import (
	"context"
	"sort"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/gitgate-dev/gitgate/gitindex"
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
	if declared {
		v.desired = desired
		v.violations = h.managed(in, desired)
	} else if h.undeclaredCreate(snap, in) {
		v.notInGit = true
		v.violations = []drift.Change{{Path: PathNotInGit}}
	}
	if len(v.violations) > 0 && rev.Policy != nil {
		h.except(ctx, rev, in, v)
	}
	v.decision = finalDecision(v)
	return v
}

// managed returns the violations of a request on an object git declares.
func (h *Handler) managed(in *input, desired *gitindex.Object) []drift.Change {
	switch {
	case in.operation() == admissionv1.Delete:
		if metaString(in.old, "deletionTimestamp") != "" || in.actor == actorController {
			return nil
		}
		return []drift.Change{{Path: PathDelete, Declared: true}}
	case in.operation() == admissionv1.Create:
		return h.extras(in, h.cmp.Against(in.obj, h.cmp.DesiredOf(desired)))
	case in.operation() != admissionv1.Update:
		return nil
	case in.scale:
		return h.violations(in, []drift.Change{scaleChange(in, desired)})
	}
	return h.violations(in, h.cmp.Diff(in.old, in.obj, h.cmp.DesiredOf(desired)))
}

// extras drops, in merge mode or for a controller, what a CREATE adds at paths
// git does not declare (gitgate's own metadata is judged apart, by rule 6).
func (h *Handler) extras(in *input, changes []drift.Change) []drift.Change {
	if !h.opts.Merge && in.actor != actorController {
		return changes
	}
	var out []drift.Change
	for _, c := range changes {
		if c.Declared || (in.actor != actorController && mergeJudged(c.Path)) {
			out = append(out, c)
		}
	}
	return out
}

// mergeJudged are the undeclared paths merge mode still judges.
func mergeJudged(path string) bool {
	return strings.HasPrefix(path, "metadata.ownerReferences") || strings.HasPrefix(path, "metadata.finalizers")
}

// violations keeps the changes that are neither toward git nor allowed undeclared.
func (h *Handler) violations(in *input, changes []drift.Change) []drift.Change {
	merge := h.opts.Merge || in.actor == actorController
	var out []drift.Change
	for _, c := range changes {
		if c.TowardGit() || (!c.Declared && merge) || unchanged(c) {
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
// declare, of a kind git manages, in a namespace git governs.
func (h *Handler) undeclaredCreate(snap *gitindex.Snapshot, in *input) bool {
	return in.operation() == admissionv1.Create && !in.scale && in.actor == actorHuman && !h.opts.AllowUnknown &&
		in.key.Namespace != "" && snap.Governs(in.key.Namespace) && snap.ManagesKind(in.key.GroupKind())
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

// gitgatePrefix marks gitgate's own labels and annotations.
const gitgatePrefix = "gitgate.dev/"

// selfServe are gitgate.dev/ annotations a user may set on a request; policy
// decides what they are worth (break-glass).
var selfServe = map[string]bool{
	"gitgate.dev/break-glass":       true,
	"gitgate.dev/break-glass-until": true,
}

// managedLabel is the applier's bookkeeping label on what it applied.
const managedLabel = gitgatePrefix + "managed"

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
			if !strings.HasPrefix(k, gitgatePrefix) || selfServe[k] || oldM[k] == newM[k] {
				continue
			}
			if _, kept := newM[k]; declared && field == "labels" && k == managedLabel && !kept {
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

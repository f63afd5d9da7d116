package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// ErrNoSnapshot is returned by Apply when there is no snapshot (no good commit yet).
var ErrNoSnapshot = errors.New("no snapshot to apply")

// Applier makes the cluster match a snapshot. It is safe for concurrent use,
// but two Applies sharing an inventory must not run at once (Loop runs one at
// a time, on the leader only).
type Applier struct {
	c    client.Client
	opts Options
}

// New returns an Applier writing through c as the sync identity. c must read
// from the API server, not a cache (unstructured reads of a manager's client
// do), and its RESTMapper must discover kinds lazily (controller-runtime's
// default dynamic mapper), so that custom resources of CRDs applied in the same
// commit can be mapped.
func New(c client.Client, opts Options) (*Applier, error) {
	if c == nil {
		return nil, errors.New("apply: nil client")
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Applier{c: c, opts: opts.withDefaults()}, nil
}

// Options returns the effective options, defaults filled in.
func (a *Applier) Options() Options { return a.opts }

// Apply makes the cluster match snap once: it applies every object in stages
// (CRDs, then namespaces, then other cluster-scoped objects, then the rest),
// skipping objects that already match, prunes what left git, records the
// inventory and returns a report. A failing object does not stop the others:
// the Result is complete and the error is an *ApplyError. An empty snapshot is
// refused (it would prune everything).
func (a *Applier) Apply(ctx context.Context, snap *gitindex.Snapshot) (*Result, error) {
	if snap == nil {
		return nil, ErrNoSnapshot
	}
	if snap.Len() == 0 {
		return nil, fmt.Errorf("apply %s: %w, refusing to prune everything", snap.ShortCommit(), gitindex.ErrNoObjects)
	}
	log := logr.FromContextOrDiscard(ctx).WithName("apply").WithValues("commit", snap.ShortCommit(), "dryRun", a.opts.DryRun)
	ctx = logr.NewContext(ctx, log)
	r := &run{a: a, snap: snap, res: &Result{Commit: snap.Commit, DryRun: a.opts.DryRun, Time: time.Now()}}
	if a.opts.BreakGlassWindow != nil {
		r.window = a.opts.BreakGlassWindow(snap)
	}
	old, invErr := a.readInventory(ctx)
	if invErr != nil {
		r.fail(invErr) // no prune and no inventory write without a trustworthy inventory
	}
	r.old = old
	r.applyStages(ctx)
	if invErr == nil && a.opts.Prune {
		r.prune(ctx)
	}
	if invErr == nil && !a.opts.DryRun {
		if err := a.writeInventory(ctx, r.old, r.nextInventory()); err != nil {
			r.fail(err)
		}
	}
	r.res.Duration = time.Since(r.res.Time)
	a.opts.Metrics.record(r.res)
	log.Info("apply finished", "summary", r.res.Summary(), "errors", len(r.res.Errors), "duration", r.res.Duration.Round(time.Millisecond).String())
	if len(r.res.Errors) > 0 {
		return r.res, &ApplyError{Commit: snap.Commit, Failed: r.res.Failed(), Errs: r.res.Errors}
	}
	return r.res, nil
}

// run is the state of one Apply.
type run struct {
	a    *Applier
	snap *gitindex.Snapshot
	res  *Result
	old  inventory
	// applied holds the inventory entry of every object of the snapshot.
	applied []entry
	// kept holds the entries of objects that failed to prune (retried next time).
	kept []entry
	// window is the longest break-glass window honoured (Options.BreakGlassWindow).
	window time.Duration
}

func (r *run) fail(err error) { r.res.Errors = append(r.res.Errors, err) }

// add records an object's result and logs it.
func (r *run) add(ctx context.Context, o ObjectResult) {
	r.res.Objects = append(r.res.Objects, o)
	log := logr.FromContextOrDiscard(ctx).WithValues("object", o.Key.String(), "action", string(o.Action))
	switch {
	case o.Err != nil:
		r.fail(o.Err)
		log.Error(o.Err, "object failed")
	case o.Changed():
		log.Info("object changed", "changes", len(o.Diff), "status", o.Status)
	default:
		log.V(1).Info("object left alone", "status", o.Status)
	}
}

// Stages of an apply, in order.
const (
	stageCRDs = iota
	stageNamespaces
	stageClusterScoped
	stageNamespaced
	numStages
)

func stageOf(k gitindex.Key) int {
	switch {
	case isCRD(k):
		return stageCRDs
	case k.Group == "" && k.Kind == "Namespace":
		return stageNamespaces
	case k.Namespace == "":
		return stageClusterScoped
	}
	return stageNamespaced
}

func isCRD(k gitindex.Key) bool {
	return k.Group == "apiextensions.k8s.io" && k.Kind == "CustomResourceDefinition"
}

// applyStages applies the snapshot stage by stage, waiting for the CRDs that
// applied to be established and served before anything else. What charts
// rendered is left to Flux's helm-controller.
func (r *run) applyStages(ctx context.Context) {
	var stages [numStages][]*gitindex.Object
	for _, o := range r.snap.Objects() {
		if o.Release != "" { // a chart's: helm-controller applies it, as a Helm release
			continue
		}
		s := stageOf(o.Key)
		stages[s] = append(stages[s], o)
	}
	for s, objs := range stages {
		var applied []*gitindex.Object
		for _, o := range objs {
			res := r.applyObject(ctx, o)
			r.add(ctx, res)
			if res.Err == nil {
				applied = append(applied, o)
			}
		}
		if s == stageCRDs && len(applied) > 0 && !r.a.opts.DryRun {
			r.waitForCRDs(ctx, applied)
		}
	}
}

// resetMapper drops the client's cached discovery, if it can, so that kinds
// added since are found.
func (a *Applier) resetMapper() {
	if m, ok := a.c.RESTMapper().(meta.ResettableRESTMapper); ok {
		m.Reset()
	}
}

package revision

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/go-logr/logr"
)

// Loop is the one shape of gitgate's background work (applier, drift scan,
// schema refresh, webhook configuration guard, RBAC and mutating-admission
// checks, certificate rotation): it runs Pass with the current revision when it
// starts, whenever a new revision is published and every Interval, until its
// context ends. A failed pass is logged here, once, and the next one runs after
// Retry. It is a controller-runtime manager.Runnable.
type Loop struct {
	// Name names the loop's logger.
	Name string
	// Log is used when the context carries no logger.
	Log logr.Logger
	// Revisions publishes the revisions the loop works on; required.
	Revisions *Store
	// Pass does one round of work with rev, the current revision: nil before the
	// first, when a pass that needs one has nothing to do. Required.
	Pass func(ctx context.Context, rev *Revision) error
	// Interval is the time between passes when no new revision comes; required.
	Interval time.Duration
	// Retry is the time before the next pass after a failed one; default Interval.
	Retry time.Duration
	// Leader runs the loop on the elected leader only (it writes to the cluster
	// or must not run twice at once).
	Leader bool
}

// NeedLeaderElection reports Leader.
func (l *Loop) NeedLeaderElection() bool { return l.Leader }

// Start runs passes until ctx ends; it returns an error only if the Loop is
// misconfigured.
func (l *Loop) Start(ctx context.Context) error {
	if l.Revisions == nil || l.Pass == nil || l.Interval <= 0 {
		return errors.New("loop " + l.Name + ": Revisions, Pass and a positive Interval are required")
	}
	log, err := logr.FromContext(ctx)
	if err != nil {
		log = l.Log
	}
	log = log.WithName(l.Name)
	ctx = logr.NewContext(ctx, log)
	notify, cancel := l.Revisions.Subscribe()
	defer cancel()
	for {
		wait := l.Interval
		if err := l.Pass(ctx, l.Revisions.Current()); err != nil && ctx.Err() == nil {
			log.Error(err, "pass failed; retrying", "retryIn", cmp.Or(l.Retry, l.Interval).String())
			wait = cmp.Or(l.Retry, l.Interval)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-notify:
			t.Stop()
		}
	}
}

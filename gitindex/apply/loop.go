package apply

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// DefaultInterval is how often a Loop re-applies the current snapshot to heal
// drift when nothing else triggers it.
const DefaultInterval = 5 * time.Minute

// Loop keeps the cluster at git's HEAD: it applies the current snapshot when it
// starts, whenever Notify fires (a new snapshot) and every Interval (self-heal:
// whatever drifted since is re-applied). It is a controller-runtime
// manager.Runnable that runs on the elected leader only, so that replicas never
// apply at once.
type Loop struct {
	// Applier applies; required.
	Applier *Applier
	// Current returns the snapshot to apply (nil: none yet, nothing to do); required.
	Current func() *gitindex.Snapshot
	// Interval between applies; default DefaultInterval.
	Interval time.Duration
	// Notify, if set, triggers an apply (send after storing a new snapshot; a
	// buffered channel of 1 with a non-blocking send coalesces bursts).
	Notify <-chan struct{}
	// OnResult, if set, is called after every apply (res is nil when Apply
	// refused to start).
	OnResult func(res *Result, err error)

	last atomic.Pointer[Result]
}

// NeedLeaderElection is true: only the leader writes to the cluster.
func (l *Loop) NeedLeaderElection() bool { return true }

// Last returns the result of the latest apply, nil before the first.
func (l *Loop) Last() *Result { return l.last.Load() }

// Start applies until ctx ends. Failed applies are logged and retried on the
// next trigger; Start only returns an error if the Loop is misconfigured.
func (l *Loop) Start(ctx context.Context) error {
	if l.Applier == nil || l.Current == nil {
		return errors.New("apply loop: Applier and Current are required")
	}
	interval := l.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	notify := l.Notify
	for {
		l.once(ctx)
		t.Reset(interval)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case _, ok := <-notify:
			if !ok {
				notify = nil // closed: rely on the interval
			}
		}
	}
}

func (l *Loop) once(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	log := logr.FromContextOrDiscard(ctx)
	snap := l.Current()
	if snap == nil {
		log.V(1).Info("no snapshot to apply yet")
		return
	}
	res, err := l.Applier.Apply(ctx, snap)
	if err != nil {
		log.Error(err, "apply failed", "commit", snap.ShortCommit())
	}
	if res != nil {
		l.last.Store(res)
	}
	if l.OnResult != nil {
		l.OnResult(res, err)
	}
}

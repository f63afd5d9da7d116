package audit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
)

var (
	errQueueFull      = errors.New("audit queue full")
	errStopped        = errors.New("audit log stopped")
	errAlreadyStarted = errors.New("audit log already started")
)

// Log has the shape of a controller-runtime manager.Runnable and
// LeaderElectionRunnable, without importing the manager.
var _ interface {
	Start(context.Context) error
	NeedLeaderElection() bool
} = (*Log)(nil)

// item is one queue entry: a record, or a Flush marker when flush is set.
type item struct {
	rec   Record
	flush chan<- error
}

// Log is the hash-chained audit log. Record is safe for concurrent use and never
// blocks; one goroutine, Start, writes. Create it with NewLog.
type Log struct {
	log     logr.Logger
	metrics *metrics
	sink    *sink // nil: auditing disabled
	queue   chan item
	dropped atomic.Uint64
	dropLog rateLimit
	errLog  rateLimit

	// mu is write-locked only while Start stops, so Record can TryRLock without
	// blocking and no record is accepted after the final drain.
	mu      sync.RWMutex
	closed  bool
	started atomic.Bool
	stopped chan struct{} // closed when Start returns

	opts    Options
	anchors chan Checkpoint // newest checkpoint for the anchor goroutine; nil without an Anchor
	ship    *shipper        // nil without Options.Ship

	// writer goroutine only:
	pending error // first write error since the last Flush
	since   int   // records written since the last checkpoint
}

// NewLog validates opts, opens the log file and continues the chain from its last
// line (see the package doc). A broken last line is logged and got past, never an
// error (see resume): gitgate must start. Records are written once Start runs.
// The Log reports drops (at most once per second) and write errors with ctx's
// logger, named "audit".
func NewLog(ctx context.Context, opts Options) (*Log, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	l := &Log{
		opts:    opts,
		log:     logr.FromContextOrDiscard(ctx).WithName("audit"),
		metrics: m,
		stopped: make(chan struct{}),
		dropLog: rateLimit{interval: time.Second},
		errLog:  rateLimit{interval: time.Second},
	}
	if opts.Path == "" {
		return l, nil
	}
	if l.sink, err = openSink(opts, l.log); err != nil {
		return nil, err
	}
	l.queue = make(chan item, opts.QueueSize)
	if opts.Anchor != nil {
		l.anchors = make(chan Checkpoint, 1)
	}
	if opts.Ship != nil {
		l.ship = newShipper(*opts.Ship, m, l.log)
	}
	return l, nil
}

// Record queues r for writing and returns true, or, when the queue is full or the
// log has stopped, counts a drop, logs (at most once per second) and returns false.
// It never blocks, so the admission answer never waits for the disk. The Log owns
// r's slices and maps from now on: do not modify them.
//
// A disabled Log (Options.Path "") accepts and discards every record.
func (l *Log) Record(r Record) bool {
	if l.sink == nil {
		return true
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC()
	reason := errStopped
	if l.mu.TryRLock() {
		if !l.closed {
			select {
			case l.queue <- item{rec: r}:
				l.mu.RUnlock()
				return true
			default:
				reason = errQueueFull
			}
		}
		l.mu.RUnlock()
	}
	l.drop(r, reason)
	return false
}

func (l *Log) drop(r Record, reason error) {
	n := l.dropped.Add(1)
	l.metrics.dropped.Inc()
	if l.dropLog.allow(time.Now()) {
		l.log.Error(reason, "dropped audit record", "uid", r.UID, "droppedTotal", n)
	}
}

// Dropped is the number of records Record has dropped since NewLog.
func (l *Log) Dropped() uint64 {
	return l.dropped.Load()
}

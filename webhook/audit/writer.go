package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Start writes queued records until ctx is done, then writes what is still queued,
// writes a final checkpoint, closes the file and returns. Before the first record
// it restores the anchored checkpoint (see restore). It is a controller-runtime
// manager.Runnable; call it once.
func (l *Log) Start(ctx context.Context) error {
	if !l.started.CompareAndSwap(false, true) {
		return errAlreadyStarted
	}
	defer close(l.stopped)
	if l.sink == nil {
		<-ctx.Done()
		return nil
	}
	l.restore(ctx)
	bg := context.WithoutCancel(ctx) // background work outlives ctx until stop ends it
	anchorCtx, stopAnchor := context.WithCancel(bg)
	defer stopAnchor()
	var anchorDone, shipDone sync.WaitGroup
	if l.anchors != nil {
		anchorDone.Go(func() { l.anchorLoop(anchorCtx) })
	}
	if l.ship != nil {
		shipDone.Go(func() { l.ship.run(bg) })
	}
	var tick <-chan time.Time
	if l.opts.SigningKey != nil {
		t := time.NewTicker(l.opts.CheckpointInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case it := <-l.queue:
			l.handle(it)
		case now := <-tick:
			l.checkpoint(now)
		case <-ctx.Done():
			l.drain()
			stopAnchor()
			anchorDone.Wait()
			return l.shutdown(bg, &shipDone)
		}
	}
}

// NeedLeaderElection tells a controller-runtime manager to run the writer on every
// replica: every replica answers requests, so each one must write its records.
func (l *Log) NeedLeaderElection() bool {
	return false
}

// shutdown anchors the final checkpoint, lets the shipper send what it holds and
// closes the file; the anchor goroutine has stopped.
func (l *Log) shutdown(ctx context.Context, shipDone *sync.WaitGroup) error {
	if l.anchors != nil {
		l.storeLast(ctx)
	}
	if l.ship != nil {
		l.ship.close()
	}
	shipDone.Wait()
	if err := l.sink.close(); err != nil {
		return fmt.Errorf("close audit log: %w", err)
	}
	return nil
}

// drain refuses new records, writes what is queued and a final checkpoint.
func (l *Log) drain() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	for {
		select {
		case it := <-l.queue:
			l.handle(it)
		default:
			l.checkpoint(time.Now())
			return
		}
	}
}

func (l *Log) handle(it item) {
	if it.flush != nil {
		it.flush <- errors.Join(l.pending, l.sink.sync())
		l.pending = nil
		return
	}
	rec := it.rec
	bound(&rec, l.opts.DigestKey)
	line, written, err := l.sink.write(rec)
	if written {
		l.metrics.written.Inc()
		l.forward(line)
		l.since++
		if l.since >= l.opts.CheckpointEvery {
			l.checkpoint(time.Now())
		}
	} else {
		l.metrics.writeErrors.Inc()
	}
	if err == nil {
		return
	}
	if l.pending == nil {
		l.pending = err
	}
	if l.errLog.allow(time.Now()) {
		l.log.Error(err, "writing audit record failed", "uid", it.rec.UID, "lost", !written)
	}
}

// forward copies a written line to the mirror (standard output) and the shipper.
func (l *Log) forward(line []byte) {
	if l.opts.Mirror != nil {
		if _, err := l.opts.Mirror.Write(line); err != nil && l.errLog.allow(time.Now()) {
			l.log.Error(err, "mirroring audit line failed")
		}
	}
	if l.ship != nil {
		l.ship.enqueue(line)
	}
}

// Flush waits until every record queued before the call is written and synced to
// disk. It returns the first write error since the previous Flush, if any, and
// gives up when ctx is done or the log has stopped. A Flush takes one queue slot.
func (l *Log) Flush(ctx context.Context) error {
	if l.sink == nil {
		return nil
	}
	done := make(chan error, 1)
	select {
	case l.queue <- item{flush: done}:
	case <-l.stopped:
		return errStopped
	case <-ctx.Done():
		return fmt.Errorf("flush audit log: %w", ctx.Err())
	}
	select {
	case err := <-done:
		return err
	case <-l.stopped:
		select {
		case err := <-done: // handled by the final drain
			return err
		default:
			return errStopped
		}
	case <-ctx.Done():
		return fmt.Errorf("flush audit log: %w", ctx.Err())
	}
}

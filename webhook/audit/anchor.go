package audit

import (
	"context"
	"time"
)

// offer hands c to the anchor goroutine, replacing a checkpoint it has not taken
// yet: only the newest matters. It never blocks the writer.
func (l *Log) offer(c Checkpoint) {
	if l.anchors == nil {
		return
	}
	for {
		select {
		case l.anchors <- c:
			return
		default:
		}
		select {
		case <-l.anchors:
		default:
		}
	}
}

// anchorLoop stores each offered checkpoint until ctx is done.
func (l *Log) anchorLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-l.anchors:
			l.store(ctx, c)
		}
	}
}

// storeLast stores the checkpoint still waiting, if any (the final one at
// shutdown), within AnchorTimeout.
func (l *Log) storeLast(ctx context.Context) {
	select {
	case c := <-l.anchors:
		l.store(ctx, c)
	default:
	}
}

func (l *Log) store(ctx context.Context, c Checkpoint) {
	ctx, cancel := context.WithTimeout(ctx, l.opts.AnchorTimeout)
	defer cancel()
	start := time.Now()
	if err := l.opts.Anchor.Store(ctx, c); err != nil {
		l.metrics.anchorErrors.Inc()
		if l.errLog.allow(start) {
			l.log.Error(err, "anchoring audit checkpoint failed", "log", c.Log, "seq", c.Seq)
		}
		return
	}
	l.metrics.anchored.Set(float64(c.Seq))
}

package audit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// shipper buffers lines from the writer goroutine and POSTs them in batches from
// its own goroutine (run).
type shipper struct {
	opts    ShipOptions
	metrics *metrics
	log     logr.Logger
	buf     chan []byte
	errLog  rateLimit

	closeOnce sync.Once
	closing   chan struct{} // closed by close: send what is buffered, then return
}

func newShipper(o ShipOptions, m *metrics, log logr.Logger) *shipper {
	return &shipper{opts: o, metrics: m, log: log, buf: make(chan []byte, o.BufferSize),
		errLog: rateLimit{interval: time.Second}, closing: make(chan struct{})}
}

// enqueue buffers line without blocking; when the buffer is full the overflow
// policy decides what is lost, and the loss is counted. Only the writer goroutine
// calls it, so a slot freed by DropOldest stays free for line.
func (s *shipper) enqueue(line []byte) {
	select {
	case s.buf <- line:
		return
	default:
	}
	s.metrics.shipDropped.Inc()
	if s.opts.Overflow == DropNewest {
		return
	}
	select {
	case <-s.buf:
	default:
	}
	select {
	case s.buf <- line:
	default:
	}
}

// close asks run to send what is buffered (for at most FlushTimeout) and return.
func (s *shipper) close() { s.closeOnce.Do(func() { close(s.closing) }) }

// run sends batches until closed; then it sends what is left within FlushTimeout
// and counts the rest as dropped.
func (s *shipper) run(ctx context.Context) {
	for {
		batch, closing := s.collect()
		if !closing && s.deliver(ctx, batch, s.closing) {
			continue
		}
		s.finish(ctx, batch) // closing, possibly while batch was being retried
		return
	}
}

// collect waits for the first line, then gathers up to BatchSize lines or whatever
// arrived within MaxWait.
func (s *shipper) collect() (batch [][]byte, closing bool) {
	select {
	case line := <-s.buf:
		batch = append(batch, line)
	case <-s.closing:
		return nil, true
	}
	timer := time.NewTimer(s.opts.MaxWait)
	defer timer.Stop()
	for len(batch) < s.opts.BatchSize {
		select {
		case line := <-s.buf:
			batch = append(batch, line)
		case <-timer.C:
			return batch, false
		case <-s.closing:
			return batch, true
		}
	}
	return batch, false
}

// finish sends batch and what is still buffered, giving up after FlushTimeout.
func (s *shipper) finish(ctx context.Context, batch [][]byte) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.FlushTimeout)
	defer cancel()
	for {
	fill:
		for len(batch) < s.opts.BatchSize {
			select {
			case line := <-s.buf:
				batch = append(batch, line)
			default:
				break fill
			}
		}
		if len(batch) == 0 {
			return
		}
		if !s.deliver(ctx, batch, ctx.Done()) {
			s.metrics.shipDropped.Add(float64(len(batch) + len(s.buf)))
			return
		}
		batch = nil
	}
}

// deliver POSTs batch until it is accepted; it gives up (false) only when ctx is
// done or giveUp is closed.
func (s *shipper) deliver(ctx context.Context, batch [][]byte, giveUp <-chan struct{}) bool {
	body := bytes.Join(batch, nil)
	backoff := s.opts.InitialBackoff
	for {
		err := s.post(ctx, body)
		if err == nil {
			s.metrics.shipped.Add(float64(len(batch)))
			return true
		}
		s.metrics.shipErrors.Inc()
		if s.errLog.allow(time.Now()) {
			s.log.Error(err, "shipping audit lines failed; retrying", "lines", len(batch), "backoff", backoff.String())
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return false
		case <-giveUp:
			return false
		}
		backoff = min(2*backoff, s.opts.MaxBackoff)
	}
}

func (s *shipper) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opts.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("ship audit lines: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return fmt.Errorf("ship audit lines: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("ship audit lines: %s answered %s", s.opts.URL, resp.Status)
	}
	return nil
}

package serving

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"

	"golang.org/x/sync/semaphore"
)

// bodyLimits bounds request bodies: their size, the bytes of large bodies read at
// once, and counts bodies cut by the read timeout.
type bodyLimits struct {
	opts   Options
	budget *semaphore.Weighted
	next   http.Handler
}

func newBodyLimits(o Options, next http.Handler) *bodyLimits {
	return &bodyLimits{opts: o, budget: semaphore.NewWeighted(o.BodyBudgetBytes), next: next}
}

func (b *bodyLimits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > b.opts.MaxBodyBytes {
		b.refuse(w, ReasonBodySize, http.StatusRequestEntityTooLarge, "request body too large")
		return
	}
	if need := b.reservation(r); need > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), b.opts.BudgetWait)
		err := b.budget.Acquire(ctx, need)
		cancel()
		if err != nil {
			w.Header().Set("Retry-After", "1")
			b.refuse(w, ReasonBodyBudget, http.StatusServiceUnavailable, "too many request bodies in flight")
			return
		}
		defer b.budget.Release(need)
	}
	if r.Body != nil && r.Body != http.NoBody {
		// A shallow copy: the server must keep its own body to see that a handler
		// closed it unread (after a read timeout, say) and close the connection.
		r2 := *r
		r2.Body = &watchedBody{ReadCloser: http.MaxBytesReader(w, r.Body, b.opts.MaxBodyBytes), limited: b.limited}
		r = &r2
	}
	b.next.ServeHTTP(w, r)
}

// reservation is the budget a request's body takes: none for small or empty
// bodies, the declared length, or the maximum when the length is not declared.
func (b *bodyLimits) reservation(r *http.Request) int64 {
	switch {
	case r.ContentLength < 0:
		return b.opts.MaxBodyBytes
	case r.ContentLength <= b.opts.SmallBodyBytes:
		return 0
	default:
		return r.ContentLength
	}
}

// refuse answers without reading the body and closes the connection, so that the
// unread body is not drained into the server either.
func (b *bodyLimits) refuse(w http.ResponseWriter, reason string, code int, msg string) {
	b.limited(reason)
	w.Header().Set("Connection", "close")
	http.Error(w, msg, code)
}

func (b *bodyLimits) limited(reason string) { b.opts.Metrics.limit(b.opts.Name, reason) }

// watchedBody counts the first read that fails on the size bound or the read
// timeout.
type watchedBody struct {
	io.ReadCloser
	limited func(reason string)
	counted bool
}

func (w *watchedBody) Read(p []byte) (int, error) {
	n, err := w.ReadCloser.Read(p)
	if err != nil && err != io.EOF && !w.counted {
		var tooLarge *http.MaxBytesError
		var netErr net.Error
		switch {
		case errors.As(err, &tooLarge):
			w.counted = true
			w.limited(ReasonBodySize)
		case errors.As(err, &netErr) && netErr.Timeout():
			w.counted = true
			w.limited(ReasonReadTimeout)
		}
	}
	return n, err
}

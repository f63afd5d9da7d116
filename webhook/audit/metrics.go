package audit

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Log's counters; they exist (unregistered) even without a Registerer.
type metrics struct {
	written     prometheus.Counter
	dropped     prometheus.Counter
	writeErrors prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		written: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gitgate_audit_records_written_total",
			Help: "Audit records written to the audit log.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gitgate_audit_records_dropped_total",
			Help: "Audit records dropped because the audit queue was full or the log was stopped.",
		}),
		writeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gitgate_audit_write_errors_total",
			Help: "Audit records lost to encoding, write or rotation errors.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	for _, c := range []*prometheus.Counter{&m.written, &m.dropped, &m.writeErrors} {
		if *c, err = register(reg, *c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// register registers c, or returns the counter already registered under its name.
func register(reg prometheus.Registerer, c prometheus.Counter) (prometheus.Counter, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(prometheus.Counter); ok {
			return existing, nil
		}
	}
	return nil, fmt.Errorf("register audit metrics: %w", err)
}

// rateLimit lets one event through per interval; safe for concurrent use and never
// blocks.
type rateLimit struct {
	interval time.Duration
	last     atomic.Int64 // unix nanoseconds of the last allowed event
}

func (r *rateLimit) allow(now time.Time) bool {
	last := r.last.Load()
	n := now.UnixNano()
	if last != 0 && n-last < int64(r.interval) {
		return false
	}
	return r.last.CompareAndSwap(last, n)
}

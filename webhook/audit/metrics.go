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
	written      prometheus.Counter
	dropped      prometheus.Counter
	writeErrors  prometheus.Counter
	checkpoints  prometheus.Counter
	anchorErrors prometheus.Counter
	anchored     prometheus.Gauge
	shipped      prometheus.Counter
	shipDropped  prometheus.Counter
	shipErrors   prometheus.Counter
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
		checkpoints:  newCounter("gitgate_audit_checkpoints_total", "Signed checkpoints written to the audit log."),
		anchorErrors: newCounter("gitgate_audit_anchor_errors_total", "Failed reads or writes of the audit anchor (the checkpoint kept outside the pod)."),
		anchored: prometheus.NewGauge(prometheus.GaugeOpts{Name: "gitgate_audit_anchored_seq",
			Help: "Sequence number of the newest checkpoint anchored outside the pod."}),
		shipped:     newCounter("gitgate_audit_shipped_total", "Audit lines delivered to the HTTP sink."),
		shipDropped: newCounter("gitgate_audit_ship_dropped_total", "Audit lines not delivered to the HTTP sink: its buffer was full, or gitgate stopped first."),
		shipErrors:  newCounter("gitgate_audit_ship_errors_total", "Failed attempts to deliver a batch to the HTTP sink (each is retried)."),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	for _, c := range []*prometheus.Counter{&m.written, &m.dropped, &m.writeErrors, &m.checkpoints, &m.anchorErrors, &m.shipped, &m.shipDropped, &m.shipErrors} {
		if *c, err = register(reg, *c); err != nil {
			return nil, err
		}
	}
	if m.anchored, err = register(reg, m.anchored); err != nil {
		return nil, err
	}
	return m, nil
}

func newCounter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

// register registers c, or returns the collector already registered under its name.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	var zero C
	return zero, fmt.Errorf("register audit metrics: %w", err)
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

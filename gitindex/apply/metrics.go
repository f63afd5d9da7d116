package apply

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the applier's Prometheus metrics: the overall health of the
// sync. A nil *Metrics records nothing; dry runs are never recorded.
type Metrics struct {
	lastSuccess prometheus.Gauge
	objects     *prometheus.GaugeVec
	errors      prometheus.Counter
	commit      *prometheus.GaugeVec
	duration    prometheus.Histogram
}

// NewMetrics registers the applier metrics with reg (metrics already
// registered by an earlier call are reused).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	var m Metrics
	var errs [5]error
	m.lastSuccess, errs[0] = register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "gitgate_apply_last_success_timestamp_seconds",
		Help: "Time of the last apply that finished without any error.",
	}))
	m.objects, errs[1] = register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "gitgate_apply_objects",
		Help: "Objects per action in the last apply.",
	}, []string{"action"}))
	m.errors, errs[2] = register(reg, prometheus.NewCounter(prometheus.CounterOpts{
		Name: "gitgate_apply_errors_total",
		Help: "Errors of applies: failed objects, prunes and inventory reads and writes.",
	}))
	m.commit, errs[3] = register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "gitgate_apply_commit_info",
		Help: "The commit last applied (value 1).",
	}, []string{"commit"}))
	m.duration, errs[4] = register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "gitgate_apply_duration_seconds",
		Help:    "Time taken by one apply.",
		Buckets: prometheus.ExponentialBuckets(0.05, 2, 12),
	}))
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("register apply metrics: %w", err)
	}
	return &m, nil
}

// register registers c, or returns the collector registered before it.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if !errors.As(err, &are) {
		return c, err
	}
	existing, ok := are.ExistingCollector.(C)
	if !ok {
		return c, fmt.Errorf("%w, with another type", err)
	}
	return existing, nil
}

// allActions are reset to 0 before each apply is recorded, so that a gauge
// never shows a stale count.
var allActions = []Action{
	ActionCreated, ActionConfigured, ActionUnchanged, ActionSkipped, ActionPruned, ActionFailed,
}

func (m *Metrics) record(r *Result) {
	if m == nil || r.DryRun {
		return
	}
	counts := r.Counts()
	for _, a := range allActions {
		m.objects.WithLabelValues(string(a)).Set(float64(counts[a]))
	}
	m.errors.Add(float64(len(r.Errors)))
	m.duration.Observe(r.Duration.Seconds())
	m.commit.Reset()
	m.commit.WithLabelValues(r.Commit).Set(1)
	if len(r.Errors) == 0 {
		m.lastSuccess.Set(float64(r.Time.Add(r.Duration).Unix()))
	}
}

package webhook

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Metrics are the webhook's Prometheus metrics. A nil *Metrics records nothing.
type Metrics struct {
	decisions       *prometheus.CounterVec
	latency         prometheus.Histogram
	failClosedTotal prometheus.Counter
}

// NewMetrics registers the webhook metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitgate_decisions_total",
			Help: "Admission decisions by operation, kind, decision and mode (dry-run requests excluded).",
		}, []string{"operation", "kind", "decision", "mode"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gitgate_handler_duration_seconds",
			Help:    "Time spent deciding one admission request (governed requests).",
			Buckets: []float64{.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .05},
		}),
		failClosedTotal: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gitgate_fail_closed_total",
			Help: "Requests denied or errored because gitgate could not decide (no revision, malformed request, policy evaluation error, internal error).",
		}),
	}
	for _, c := range []prometheus.Collector{m.decisions, m.latency, m.failClosedTotal} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *Metrics) observe(in *input, decision, mode string, dryRun bool, d time.Duration) {
	if m == nil {
		return
	}
	m.latency.Observe(d.Seconds())
	if !dryRun {
		m.decisions.WithLabelValues(string(in.req.Operation), in.key.Kind, decision, mode).Inc()
	}
}

// failClosed counts an answer given because gitgate could not decide, and passes
// it through.
func (m *Metrics) failClosed(resp admission.Response) admission.Response {
	if m != nil {
		m.failClosedTotal.Inc()
	}
	return resp
}

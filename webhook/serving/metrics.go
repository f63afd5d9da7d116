package serving

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons a request or connection was limited, the reason label of
// gitgate_http_limited_total.
const (
	// ReasonConnections: the server already held MaxConns connections.
	ReasonConnections = "connections"
	// ReasonConnectionsPerIP: the source address already held MaxConnsPerIP.
	ReasonConnectionsPerIP = "connections_per_ip"
	// ReasonBodySize: the body was, or declared to be, over MaxBodyBytes.
	ReasonBodySize = "body_size"
	// ReasonBodyBudget: BodyBudgetBytes stayed taken by other bodies for BudgetWait.
	ReasonBodyBudget = "body_budget"
	// ReasonReadTimeout: the body did not arrive within ReadTimeout.
	ReasonReadTimeout = "read_timeout"
)

// Metrics counts what the servers' limits refused or cut. A nil *Metrics counts
// nothing.
type Metrics struct {
	limited *prometheus.CounterVec
}

// NewMetrics registers gitgate_http_limited_total with reg (once: a second call
// with the same registry shares the counter).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	limited := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gitgate_http_limited_total",
		Help: "Connections and requests refused or cut by a server's limits, by server (webhook, push, metrics, probes) and reason (connections, connections_per_ip, body_size, body_budget, read_timeout).",
	}, []string{"server", "reason"})
	if err := reg.Register(limited); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, err
		}
		existing, ok := are.ExistingCollector.(*prometheus.CounterVec)
		if !ok {
			return nil, err
		}
		limited = existing
	}
	return &Metrics{limited: limited}, nil
}

func (m *Metrics) limit(server, reason string) {
	if m != nil {
		m.limited.WithLabelValues(server, reason).Inc()
	}
}

package fluxskew

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the skew gauges, per Kustomization (namespace/name).
type Metrics struct {
	skew    *prometheus.GaugeVec
	seconds *prometheus.GaugeVec
	applied *prometheus.GaugeVec
}

// NewMetrics registers gitgate_flux_revision_skew, gitgate_flux_skew_seconds and
// gitgate_flux_applied_info with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		skew: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gitgate_flux_revision_skew",
			Help: "1 when the commit a Flux Kustomization last applied is not the commit gitgate enforces (or it applied none), else 0.",
		}, []string{"kustomization"}),
		seconds: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gitgate_flux_skew_seconds",
			Help: "How long the Kustomization's last applied commit has differed from gitgate's (0 when they are the same).",
		}, []string{"kustomization"}),
		applied: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gitgate_flux_applied_info",
			Help: "The commit each Flux Kustomization last applied and the commit gitgate enforces, as labels (value 1).",
		}, []string{"kustomization", "applied", "enforced"}),
	}
	for _, c := range []prometheus.Collector{m.skew, m.seconds, m.applied} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) set(kustomization, applied, enforced string, skew time.Duration) {
	if m == nil {
		return
	}
	v := 0.0
	if applied != enforced {
		v = 1
	}
	m.skew.WithLabelValues(kustomization).Set(v)
	m.seconds.WithLabelValues(kustomization).Set(skew.Seconds())
	m.applied.DeletePartialMatch(prometheus.Labels{"kustomization": kustomization})
	m.applied.WithLabelValues(kustomization, applied, enforced).Set(1)
}

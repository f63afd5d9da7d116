package main

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// statusMetrics exports the poller's status: the commit being served, the last
// rejected commit, the time of the last successful fetch and load failures.
type statusMetrics struct {
	mu         sync.Mutex
	commit     *prometheus.GaugeVec
	rejected   *prometheus.GaugeVec
	lastFetch  prometheus.Gauge
	failures   prometheus.Counter
	limits     *prometheus.CounterVec
	lastCommit string
	lastReject string
	lastErr    string
}

func newStatusMetrics(reg prometheus.Registerer) (*statusMetrics, error) {
	m := &statusMetrics{
		commit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gitgate_revision_info", Help: "The git commit being enforced (value 1).",
		}, []string{"commit"}),
		rejected: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gitgate_revision_rejected_info", Help: "The last commit that failed to build or compile (value 1); the previous revision keeps serving.",
		}, []string{"commit"}),
		lastFetch: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gitgate_git_last_fetch_timestamp_seconds", Help: "Time of the last successful git fetch.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gitgate_revision_failures_total", Help: "Failed syncs (fetch, build, policy compile); the last good revision keeps serving.",
		}),
		limits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gitgate_revision_limit_exceeded_total", Help: "Commits rejected for exceeding a bound on one revision (objects, manifestBytes, indexMemory, buildTime); the previous revision keeps serving.",
		}, []string{"limit"}),
	}
	for _, l := range []string{gitindex.LimitObjects, gitindex.LimitManifestBytes, gitindex.LimitIndexMemory, gitindex.LimitBuildTime} {
		m.limits.WithLabelValues(l)
	}
	for _, c := range []prometheus.Collector{m.commit, m.rejected, m.lastFetch, m.failures, m.limits} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observe is the Poller's OnStatus callback.
func (m *statusMetrics) observe(st gitindex.Status) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st.Commit != m.lastCommit {
		m.commit.Reset()
		m.commit.WithLabelValues(st.Commit).Set(1)
		m.lastCommit = st.Commit
	}
	if st.RejectedCommit != m.lastReject {
		if st.RejectedLimit != "" {
			m.limits.WithLabelValues(st.RejectedLimit).Inc()
		}
		m.rejected.Reset()
		if st.RejectedCommit != "" {
			m.rejected.WithLabelValues(st.RejectedCommit).Set(1)
		}
		m.lastReject = st.RejectedCommit
	}
	if !st.LastFetch.IsZero() {
		m.lastFetch.Set(float64(st.LastFetch.Unix()))
	}
	if st.Err != "" && st.Err != m.lastErr {
		m.failures.Inc()
	}
	m.lastErr = st.Err
}

// observeFor is the Poller's OnStatus callback: metrics, and until a revision
// is served, the reason for the webhook's "not loaded" denials (notLoaded, nil
// without a webhook).
func (m *statusMetrics) observeFor(notLoaded func(reason string)) func(gitindex.Status) {
	return func(st gitindex.Status) {
		m.observe(st)
		if st.Commit == "" && notLoaded != nil {
			notLoaded(st.Err)
		}
	}
}

// mapperScope tells gitindex which kinds are namespaced from API discovery (the
// manager's lazy RESTMapper); gitindex falls back to its built-in table and the
// CRDs in the commit when discovery does not know a kind.
type mapperScope struct{ mapper meta.RESTMapper }

func (m mapperScope) Namespaced(gk schema.GroupKind) (bool, bool) {
	mapping, err := m.mapper.RESTMapping(gk)
	if err != nil {
		return false, false
	}
	return mapping.Scope.Name() == meta.RESTScopeNameNamespace, true
}

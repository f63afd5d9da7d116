package serving

import (
	"net/http"

	"sigs.k8s.io/controller-runtime/pkg/healthz"
)

// Probes are the liveness (/healthz) and readiness (/readyz) checks, served the
// way controller-runtime's manager serves them (/readyz/<check> for one check,
// ?verbose for each result). Add checks before the handler serves.
type Probes struct {
	live, ready map[string]healthz.Checker
}

// NewProbes returns Probes without checks.
func NewProbes() *Probes {
	return &Probes{live: map[string]healthz.Checker{}, ready: map[string]healthz.Checker{}}
}

// AddLive adds a liveness check.
func (p *Probes) AddLive(name string, c healthz.Checker) { p.live[name] = c }

// AddReady adds a readiness check.
func (p *Probes) AddReady(name string, c healthz.Checker) { p.ready[name] = c }

// Handler serves /healthz and /readyz.
func (p *Probes) Handler() http.Handler {
	mux := http.NewServeMux()
	for path, checks := range map[string]map[string]healthz.Checker{"/healthz": p.live, "/readyz": p.ready} {
		h := http.StripPrefix(path, &healthz.Handler{Checks: checks})
		mux.Handle(path, h)
		mux.Handle(path+"/", h)
	}
	return mux
}

package guard

import (
	"context"
	"errors"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// ExposureLoop reports, on each Check (a revision.Loop runs it periodically), who
// can act as the sync identities: one log line per Exposure and the
// gitgate_sync_identity_exposures gauge.
type ExposureLoop struct {
	Reader    client.Reader
	SyncUsers []string
	Exposures prometheus.Gauge // optional
	// Controllers and ControllerGroups are the cluster controller identities whose
	// exposure is reported too (log lines and ControllerExposures); none: not checked.
	Controllers, ControllerGroups []string
	ControllerExposures           prometheus.Gauge // optional
}

// NewExposuresGauge registers gitgate_sync_identity_exposures.
func NewExposuresGauge(reg prometheus.Registerer) (prometheus.Gauge, error) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "gitgate_sync_identity_exposures",
		Help: "Subjects (per binding and path) that RBAC lets act as the sync identity, besides itself and system:masters, at the last check.",
	})
	return g, reg.Register(g)
}

// NewControllerExposuresGauge registers gitgate_controller_identity_exposures.
func NewControllerExposuresGauge(reg prometheus.Registerer) (prometheus.Gauge, error) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "gitgate_controller_identity_exposures",
		Help: "Subjects (per binding and path) that RBAC lets act as a cluster controller identity, besides those identities and system:masters, at the last check.",
	})
	return g, reg.Register(g)
}

// Check runs one pass. When RBAC cannot be listed the gauge keeps its last value.
func (l *ExposureLoop) Check(ctx context.Context) error {
	r, err := ListRBAC(ctx, l.Reader)
	if err != nil {
		return err
	}
	log := logf.FromContext(ctx)
	n := 0
	for _, u := range l.SyncUsers {
		for _, e := range r.Exposures(u) {
			log.Error(ErrExposed, "RBAC lets a subject act as the sync identity",
				"syncUser", u, "subject", e.Subject.String(), "via", e.Via.String(), "path", string(e.Path))
			n++
		}
	}
	if l.Exposures != nil {
		l.Exposures.Set(float64(n))
	}
	l.checkControllers(log, r)
	return nil
}

// checkControllers reports who can act as a controller identity: one line per
// subject, binding and path, naming how many identities and the first.
func (l *ExposureLoop) checkControllers(log logr.Logger, r *RBAC) {
	if len(l.Controllers) == 0 && len(l.ControllerGroups) == 0 {
		return
	}
	found := r.ControllerExposures(l.Controllers, l.ControllerGroups)
	for _, e := range found {
		log.Error(ErrExposed, "RBAC lets a subject act as a cluster controller identity",
			"subject", e.Subject.String(), "via", e.Via.String(), "path", string(e.Path),
			"identity", e.Identities[0], "identities", len(e.Identities))
	}
	if l.ControllerExposures != nil {
		l.ControllerExposures.Set(float64(len(found)))
	}
}

// ErrExposed is logged with each subject that RBAC lets act as the sync
// identity or a cluster controller, and so bypass what gitgate enforces.
var ErrExposed = errors.New("a subject can act as an identity gitgate trusts")

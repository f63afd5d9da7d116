package scan

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/gitgate-dev/gitgate/gitindex/vocab"
	"github.com/gitgate-dev/gitgate/webhook/revision"
)

// Pass is the drift scan of a serving gitgate, run by a revision.Loop on every
// new revision and every interval: it scans with the revision's own comparison,
// exports the number of drifted objects and publishes PolicyReports when the CRD
// is installed.
type Pass struct {
	Client  client.Client // reads live objects and writes PolicyReports (as the webhook pods' identity)
	Drifted prometheus.Gauge
}

// NewDriftedGauge registers gitgate_drifted_objects.
func NewDriftedGauge(reg prometheus.Registerer) (prometheus.Gauge, error) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "gitgate_drifted_objects",
		Help: "Live objects that differ from git (or are missing) at the last drift scan.",
	})
	return g, reg.Register(g)
}

// Run scans rev (nothing to do before the first revision).
func (p *Pass) Run(ctx context.Context, rev *revision.Revision) error {
	if rev == nil {
		return nil
	}
	snap := rev.Snapshot
	rep, err := (&Scanner{Reader: p.Client, Comparer: rev.Comparer}).Scan(ctx, snap)
	if err != nil {
		return fmt.Errorf("drift scan: %w", err)
	}
	if p.Drifted != nil {
		p.Drifted.Set(float64(len(rep.Findings)))
	}
	if len(rep.Findings) > 0 {
		logf.FromContext(ctx).Info("drift found", "commit", snap.ShortCommit(), "objects", len(rep.Findings))
	}
	var namespaces []string
	for _, o := range snap.Objects() {
		if o.Kind == "Namespace" && o.Group == "" {
			namespaces = append(namespaces, o.Name)
		}
	}
	if _, err := Publish(ctx, p.Client, PolicyReports(rep, namespaces), vocab.FieldManager); err != nil {
		return fmt.Errorf("publish policy reports: %w", err)
	}
	return nil
}

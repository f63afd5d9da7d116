package scan

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
)

// Loop scans on every new revision and every Interval, exports the number of
// drifted objects and publishes PolicyReports when the CRD is installed.
type Loop struct {
	Scanner  *Scanner
	Client   client.Client // writes PolicyReports (as the webhook pods' identity)
	Current  func() *gitindex.Snapshot
	Interval time.Duration
	Drifted  prometheus.Gauge
}

// NewDriftedGauge registers gitgate_drifted_objects.
func NewDriftedGauge(reg prometheus.Registerer) (prometheus.Gauge, error) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "gitgate_drifted_objects",
		Help: "Live objects that differ from git (or are missing) at the last drift scan.",
	})
	return g, reg.Register(g)
}

// NeedLeaderElection is true: one replica scans and publishes.
func (l *Loop) NeedLeaderElection() bool { return true }

// Start runs until ctx ends.
func (l *Loop) Start(ctx context.Context) error {
	ctx = logf.IntoContext(ctx, logf.FromContext(ctx).WithName("drift"))
	check := time.NewTicker(2 * time.Second)
	defer check.Stop()
	var last string
	next := time.Now()
	for {
		if snap := l.Current(); snap != nil && (snap.Commit != last || time.Now().After(next)) {
			l.once(ctx, snap)
			last, next = snap.Commit, time.Now().Add(l.Interval)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-check.C:
		}
	}
}

func (l *Loop) once(ctx context.Context, snap *gitindex.Snapshot) {
	log := logf.FromContext(ctx)
	rep, err := l.Scanner.Scan(ctx, snap)
	if err != nil {
		log.Error(err, "drift scan failed")
		return
	}
	if l.Drifted != nil {
		l.Drifted.Set(float64(len(rep.Findings)))
	}
	if len(rep.Findings) > 0 {
		log.Info("drift found", "commit", snap.ShortCommit(), "objects", len(rep.Findings))
	}
	var namespaces []string
	for _, o := range snap.Objects() {
		if o.Kind == "Namespace" && o.Group == "" {
			namespaces = append(namespaces, o.Name)
		}
	}
	if _, err := Publish(ctx, l.Client, PolicyReports(rep, namespaces), vocab.FieldManager); err != nil {
		log.Error(err, "publish policy reports")
	}
}

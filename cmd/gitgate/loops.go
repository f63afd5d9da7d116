package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/gitgate-dev/gitgate/certs"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/webhook"
	"github.com/gitgate-dev/gitgate/webhook/guard"
	"github.com/gitgate-dev/gitgate/webhook/revision"
	"github.com/gitgate-dev/gitgate/webhook/scan"
)

// schemaRefreshInterval is how often the schemas a revision lacks (custom
// resources the API server did not serve yet) are asked for again.
const schemaRefreshInterval = 10 * time.Second

// runnables are the poller, the push endpoint and every loop serve runs; each
// loop is a revision.Loop: it runs on start, on every new revision and on its
// interval.
func (s *server) runnables(ctx context.Context) ([]manager.Runnable, error) {
	poller, err := s.newPoller()
	if err != nil {
		return nil, err
	}
	out := []manager.Runnable{poller, s.loop("schemas", schemaRefreshInterval, false, s.refreshSchemas)}
	if s.f.pushSecretFile != "" {
		push, err := pushServer(s.f, poller)
		if err != nil {
			return nil, err
		}
		out = append(out, push)
	}
	for _, add := range []func() ([]manager.Runnable, error){s.applyLoop, s.driftLoop, s.certLoop, s.guardLoop, s.exposureLoops, s.fluxLoops} {
		loops, err := add()
		if err != nil {
			return nil, err
		}
		out = append(out, loops...)
	}
	return out, nil
}

// loop returns a revision.Loop over the server's store.
func (s *server) loop(name string, interval time.Duration, leader bool, pass func(context.Context, *revision.Revision) error) *revision.Loop {
	return &revision.Loop{Name: name, Log: ctrl.Log, Revisions: s.store, Pass: pass, Interval: interval, Leader: leader}
}

// refreshSchemas publishes a new revision of the current commit once a schema it
// lacked is served (say, of a CRD the applier just created): a revision itself
// never changes how it judges.
func (s *server) refreshSchemas(ctx context.Context, rev *revision.Revision) error {
	if rev == nil {
		return nil
	}
	if next, ok := revision.Refresh(ctx, rev, revision.Options{Schemas: s.schemas}); ok {
		s.store.Replace(rev, next)
	}
	return nil
}

// applyLoop applies the current revision on the leader (--apply).
func (s *server) applyLoop() ([]manager.Runnable, error) {
	if !s.f.apply {
		return nil, nil
	}
	opts := apply.DefaultOptions()
	ns, name, ok := strings.Cut(s.f.inventory, "/")
	if !ok {
		return nil, fmt.Errorf("--inventory must be namespace/name, not %q", s.f.inventory)
	}
	opts.InventoryNamespace, opts.InventoryName = ns, name
	var err error
	if opts.Metrics, err = apply.NewMetrics(crmetrics.Registry); err != nil {
		return nil, err
	}
	pass := func(ctx context.Context, rev *revision.Revision) error {
		if rev == nil {
			return nil
		}
		res, err := applyRevision(ctx, s.clients.client, opts, rev)
		s.records.applied(res)
		if res != nil {
			ctrl.LoggerFrom(ctx).Info("applied", "commit", res.Commit, "summary", res.Summary(), "duration", res.Duration.String())
		}
		return err // logged by the loop
	}
	return []manager.Runnable{s.loop("apply", s.f.applyInterval, true, pass)}, nil
}

// driftLoop scans live objects for drift on the leader (--drift-interval).
func (s *server) driftLoop() ([]manager.Runnable, error) {
	if s.f.driftInterval <= 0 {
		return nil, nil
	}
	g, err := scan.NewDriftedGauge(crmetrics.Registry)
	if err != nil {
		return nil, err
	}
	p := &scan.Pass{Client: s.clients.client, Drifted: g}
	return []manager.Runnable{s.loop("drift", s.f.driftInterval, true, p.Run)}, nil
}

// certLoop keeps the serving certificate current on every replica
// (--rotate-certs); its first pass is a step of start-up (firstCertPass).
func (s *server) certLoop() ([]manager.Runnable, error) {
	if !s.f.rotateCerts {
		return nil, nil
	}
	ns, name, ok := strings.Cut(s.f.certSecret, "/")
	if !ok {
		return nil, fmt.Errorf("--cert-secret must be namespace/name, not %q", s.f.certSecret)
	}
	s.rotator = &certs.Rotator{Client: s.clients.client, Namespace: ns, SecretName: name, CertDir: s.f.certDir,
		WebhookConfigName: s.f.webhookConfig, Options: certs.Options{DNSNames: s.f.certDNSNames, IPs: s.f.certIPs},
		Interval: s.f.certCheckInterval}
	l := s.loop("certs", s.f.certCheckInterval, false, func(ctx context.Context, _ *revision.Revision) error { return s.rotator.Reconcile(ctx) })
	l.Retry = certs.DefaultRetryInterval
	return []manager.Runnable{l}, nil
}

// firstCertPass runs the certificate rotator's first pass before the webhook
// server starts and reads its certificate. A failure (say, the webhook
// configuration is not installed yet) is retried by the certs loop; the webhook
// server fails on its own if it has no certificate at all.
func (s *server) firstCertPass(ctx context.Context) {
	if s.rotator == nil {
		return
	}
	log := ctrl.Log.WithName("certs")
	if err := s.rotator.Reconcile(ctrl.LoggerInto(ctx, log)); err != nil {
		log.Error(err, "first certificate pass failed; retrying")
	}
}

// exposureLoops report who can act as the sync identity or a controller, and
// mutating admission on the kinds git declares (--exposure-interval).
func (s *server) exposureLoops() ([]manager.Runnable, error) {
	if s.f.exposureInterval <= 0 {
		return nil, nil
	}
	g, err := guard.NewExposuresGauge(crmetrics.Registry)
	if err != nil {
		return nil, err
	}
	cg, err := guard.NewControllerExposuresGauge(crmetrics.Registry)
	if err != nil {
		return nil, err
	}
	m, err := guard.NewMutatingGauge(crmetrics.Registry)
	if err != nil {
		return nil, err
	}
	exposure := &guard.ExposureLoop{Reader: s.clients.client, SyncUsers: s.f.syncUsers,
		Exposures: g, ControllerExposures: cg,
		Controllers: append(webhook.BuiltinControllers(), s.f.controllerUsers...), ControllerGroups: []string{webhook.NodesGroup}}
	mutating := &guard.MutatingLoop{Reader: s.clients.client, Declared: s.declaredResources, Governed: m}
	return []manager.Runnable{
		s.loop("exposure", s.f.exposureInterval, false, func(ctx context.Context, _ *revision.Revision) error { return exposure.Check(ctx) }),
		s.loop("mutating", s.f.exposureInterval, false, func(ctx context.Context, _ *revision.Revision) error { return mutating.Check(ctx) }),
	}, nil
}

// declaredResources returns the resources git declares at the current revision
// (nil before the first), mapped through discovery.
func (s *server) declaredResources(context.Context) ([]schema.GroupVersionResource, error) {
	if rev := s.store.Current(); rev != nil {
		return guard.DeclaredResources(s.mgr.GetRESTMapper(), rev.Snapshot)
	}
	return nil, nil
}

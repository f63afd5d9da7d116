package main

import (
	"context"
	"fmt"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/gitgate-dev/gitgate/certs"
	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/webhook"
	"github.com/gitgate-dev/gitgate/webhook/scan"
)

// backgroundLoops builds the optional runnables: the applier, the drift scan and
// the certificate rotator. The rotator's first pass runs now, before the webhook
// server starts and reads its certificate.
func backgroundLoops(ctx context.Context, mgr manager.Manager, f *serveFlags, h *webhook.Handler, newRevision <-chan struct{}) ([]manager.Runnable, error) {
	c, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme()})
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	current := func() *gitindex.Snapshot {
		if rev := h.Revision(); rev != nil {
			return rev.Snapshot
		}
		return nil
	}
	var out []manager.Runnable
	if f.apply {
		opts := apply.DefaultOptions()
		opts.Comparer = h.Comparer()
		ns, name, ok := strings.Cut(f.inventory, "/")
		if !ok {
			return nil, fmt.Errorf("--inventory must be namespace/name, not %q", f.inventory)
		}
		opts.InventoryNamespace, opts.InventoryName = ns, name
		if opts.Metrics, err = apply.NewMetrics(crmetrics.Registry); err != nil {
			return nil, err
		}
		a, err := apply.New(c, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, &apply.Loop{Applier: a, Current: current, Interval: f.applyInterval, Notify: newRevision, OnResult: logApply})
	}
	if f.driftInterval > 0 {
		g, err := scan.NewDriftedGauge(crmetrics.Registry)
		if err != nil {
			return nil, err
		}
		out = append(out, &scan.Loop{Scanner: &scan.Scanner{Reader: c, Comparer: h.Comparer()}, Client: c,
			Current: current, Interval: f.driftInterval, Log: ctrl.Log.WithName("drift"), Drifted: g})
	}
	if f.rotateCerts {
		r, err := rotator(c, f)
		if err != nil {
			return nil, err
		}
		if err := r.Reconcile(ctrl.LoggerInto(ctx, ctrl.Log.WithName("certs"))); err != nil {
			return nil, fmt.Errorf("serving certificate: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

func rotator(c client.Client, f *serveFlags) (*certs.Rotator, error) {
	ns, name, ok := strings.Cut(f.certSecret, "/")
	if !ok {
		return nil, fmt.Errorf("--cert-secret must be namespace/name, not %q", f.certSecret)
	}
	return &certs.Rotator{Client: c, Namespace: ns, SecretName: name, CertDir: f.certDir,
		WebhookConfigName: f.webhookConfig, Options: certs.Options{DNSNames: f.certDNSNames}}, nil
}

func logApply(res *apply.Result, err error) {
	log := ctrl.Log.WithName("apply")
	if err != nil {
		log.Error(err, "apply failed")
	}
	if res != nil {
		log.Info("applied", "commit", res.Commit, "summary", res.Summary(), "duration", res.Duration.String())
	}
}

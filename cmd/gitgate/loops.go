package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/gitgate-dev/gitgate/certs"
	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/webhook"
	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/guard"
	"github.com/gitgate-dev/gitgate/webhook/scan"
)

// backgroundLoops builds the optional runnables: the applier, the drift scan and
// the certificate rotator. The rotator's first pass runs now, before the webhook
// server starts and reads its certificate.
func backgroundLoops(ctx context.Context, mgr manager.Manager, f *serveFlags, h *webhook.Handler, newRevision <-chan struct{}, auditLog *audit.Log) ([]manager.Runnable, error) {
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
		opts.BreakGlassWindow = func(s *gitindex.Snapshot) time.Duration {
			if rev := h.Revision(); rev != nil && rev.Snapshot == s {
				return rev.Policy.BreakGlassWindow() // the same revision's policy, or none
			}
			return 0
		}
		if opts.Metrics, err = apply.NewMetrics(crmetrics.Registry); err != nil {
			return nil, err
		}
		a, err := apply.New(c, opts)
		if err != nil {
			return nil, err
		}
		records := &auditRecorder{log: auditLog}
		out = append(out, &apply.Loop{Applier: a, Current: current, Interval: f.applyInterval, Notify: newRevision,
			OnResult: func(res *apply.Result, err error) { logApply(res, err); records.applied(res) }})
	}
	if f.driftInterval > 0 {
		g, err := scan.NewDriftedGauge(crmetrics.Registry)
		if err != nil {
			return nil, err
		}
		out = append(out, &scan.Loop{Scanner: &scan.Scanner{Reader: c, Comparer: h.Comparer()}, Client: c,
			Current: current, Interval: f.driftInterval, Drifted: g})
	}
	if f.rotateCerts {
		r, err := rotator(c, f)
		if err != nil {
			return nil, err
		}
		// A failure here (say, the webhook configuration is not installed yet) is
		// retried by the rotator; the webhook server fails on its own if it has no
		// certificate at all.
		if err := r.Reconcile(ctrl.LoggerInto(ctx, ctrl.Log.WithName("certs"))); err != nil {
			ctrl.Log.WithName("certs").Error(err, "first certificate pass failed; retrying")
		}
		out = append(out, r)
	}
	if f.guardWebhook {
		g, err := webhookGuard(mgr, c, f, h, auditLog)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	if f.exposureInterval > 0 {
		g, err := guard.NewExposuresGauge(crmetrics.Registry)
		if err != nil {
			return nil, err
		}
		cg, err := guard.NewControllerExposuresGauge(crmetrics.Registry)
		if err != nil {
			return nil, err
		}
		out = append(out, &guard.ExposureLoop{Reader: c, SyncUsers: f.syncUsers, Interval: f.exposureInterval,
			Exposures: g, ControllerExposures: cg,
			Controllers: append(webhook.BuiltinControllers(), f.controllerUsers...), ControllerGroups: []string{webhook.NodesGroup}})
		m, err := guard.NewMutatingGauge(crmetrics.Registry)
		if err != nil {
			return nil, err
		}
		out = append(out, &guard.MutatingLoop{Reader: c, Declared: declaredResources(mgr, h), Interval: f.exposureInterval,
			Governed: m})
	}
	return out, nil
}

// webhookGuard protects the webhook configuration; restores are audited and
// reported as Events.
func webhookGuard(mgr manager.Manager, c client.Client, f *serveFlags, h *webhook.Handler, auditLog *audit.Log) (*guard.Guard, error) {
	restored, err := guard.NewRestoredCounter(crmetrics.Registry)
	if err != nil {
		return nil, err
	}
	rec := mgr.GetEventRecorder("gitgate")
	g := &guard.Guard{Client: c, Name: f.webhookConfig, Restored: restored}
	g.Declared = declaredResources(mgr, h)
	if f.rotateCerts {
		g.CABundle = func() []byte {
			b, _ := os.ReadFile(filepath.Join(f.certDir, certs.CACertFile))
			return b
		}
	}
	g.OnRestore = func(reason string) {
		commit := ""
		if rev := h.Revision(); rev != nil {
			commit = rev.Snapshot.Commit
		}
		auditLog.Record(audit.Record{
			Time: time.Now().UTC(), Operation: audit.OperationRestore, Name: f.webhookConfig, Decision: audit.DecisionRestored, Mode: audit.ModeEnforce,
			GVK:     audit.GVK{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "ValidatingWebhookConfiguration"},
			Reasons: []string{"webhook configuration " + reason + "; restored"}, Commit: commit,
		})
		ref := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		ref.Name = f.webhookConfig
		ref.SetGroupVersionKind(admissionregistrationv1.SchemeGroupVersion.WithKind("ValidatingWebhookConfiguration"))
		rec.Eventf(ref, nil, "Warning", "WebhookConfigRestored", "Restore", "webhook configuration %s was %s; gitgate restored it", f.webhookConfig, reason)
	}
	return g, nil
}

// declaredResources returns the resources git declares at the current revision
// (nil before the first), mapped through discovery.
func declaredResources(mgr manager.Manager, h *webhook.Handler) func(context.Context) ([]schema.GroupVersionResource, error) {
	return func(context.Context) ([]schema.GroupVersionResource, error) {
		if rev := h.Revision(); rev != nil {
			return guard.DeclaredResources(mgr.GetRESTMapper(), rev.Snapshot)
		}
		return nil, nil
	}
}

func rotator(c client.Client, f *serveFlags) (*certs.Rotator, error) {
	ns, name, ok := strings.Cut(f.certSecret, "/")
	if !ok {
		return nil, fmt.Errorf("--cert-secret must be namespace/name, not %q", f.certSecret)
	}
	return &certs.Rotator{Client: c, Namespace: ns, SecretName: name, CertDir: f.certDir,
		WebhookConfigName: f.webhookConfig, Options: certs.Options{DNSNames: f.certDNSNames, IPs: f.certIPs},
		Interval: f.certCheckInterval}, nil
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

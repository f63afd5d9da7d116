package main

import (
	"context"
	"os"
	"path/filepath"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/gitgate-dev/gitgate/certs"
	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/guard"
	"github.com/gitgate-dev/gitgate/webhook/revision"
)

// guardInterval is how often the webhook configuration is checked besides on
// every new revision (whose declared kinds narrow its rules).
const guardInterval = 5 * time.Second

// guardLoop protects the webhook configuration on the leader
// (--guard-webhook-config); restores are audited and reported as Events. Two
// replicas on different commits would otherwise narrow the rules to different
// revisions, each undoing the other.
func (s *server) guardLoop() ([]manager.Runnable, error) {
	if !s.f.guardWebhook {
		return nil, nil
	}
	restored, err := guard.NewRestoredCounter(crmetrics.Registry)
	if err != nil {
		return nil, err
	}
	g := &guard.Guard{Client: s.clients.client, Name: s.f.webhookConfig, Restored: restored,
		Declared: s.declaredResources, OnRestore: s.restored}
	if s.f.rotateCerts {
		g.CABundle = func() []byte {
			b, _ := os.ReadFile(filepath.Join(s.f.certDir, certs.CACertFile))
			return b
		}
	}
	return []manager.Runnable{s.loop("guard", guardInterval, true, func(ctx context.Context, _ *revision.Revision) error { return g.Check(ctx) })}, nil
}

// restored audits a restore of the webhook configuration and reports it as an
// Event.
func (s *server) restored(reason string) {
	commit := ""
	if rev := s.store.Current(); rev != nil {
		commit = rev.Snapshot.Commit
	}
	s.auditLog.Record(audit.Record{
		Time: time.Now().UTC(), Operation: audit.OperationRestore, Name: s.f.webhookConfig, Decision: audit.DecisionRestored, Mode: audit.ModeEnforce,
		GVK:     audit.GVK{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "ValidatingWebhookConfiguration"},
		Reasons: []string{"webhook configuration " + reason + "; restored"}, Commit: commit,
	})
	ref := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	ref.Name = s.f.webhookConfig
	ref.SetGroupVersionKind(admissionregistrationv1.SchemeGroupVersion.WithKind("ValidatingWebhookConfiguration"))
	s.mgr.GetEventRecorder("gitgate").Eventf(ref, nil, "Warning", "WebhookConfigRestored", "Restore", "webhook configuration %s was %s; gitgate restored it", s.f.webhookConfig, reason)
}

// Package guard protects gitgate's own ValidatingWebhookConfiguration, which
// admission cannot protect: deleting it or loosening its rules would switch the gate
// off silently. The Guard remembers the configuration as first seen (or as shipped)
// and restores it when it is changed or deleted, and reports every restore.
package guard

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Guard restores a ValidatingWebhookConfiguration's webhooks (rules, clientConfig,
// failurePolicy, selectors, match conditions) to what it first saw.
type Guard struct {
	Client   client.Client
	Name     string
	Interval time.Duration // default 5s
	// CABundle, if set, returns the current CA bundle (certificate rotation changes
	// it legitimately); otherwise the first-seen caBundle is kept.
	CABundle func() []byte
	Log      logr.Logger
	// Restored counts restores by reason (deleted, modified).
	Restored *prometheus.CounterVec
	// OnRestore, if set, is told about every restore (audit line, Event).
	OnRestore func(reason string)

	want *admissionregistrationv1.ValidatingWebhookConfiguration
}

// NewRestoredCounter registers gitgate_webhook_config_restored_total.
func NewRestoredCounter(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gitgate_webhook_config_restored_total",
		Help: "Times gitgate restored its ValidatingWebhookConfiguration after it was deleted or modified.",
	}, []string{"reason"})
	return c, reg.Register(c)
}

// NeedLeaderElection is false: any replica may restore (writes are idempotent).
func (g *Guard) NeedLeaderElection() bool { return false }

// Start checks every Interval until ctx ends.
func (g *Guard) Start(ctx context.Context) error {
	every(ctx, cmp.Or(max(g.Interval, 0), 5*time.Second), g.Check, g.Log, "webhook configuration guard")
	return nil
}

// every runs check now and then every interval until ctx ends, logging errors.
func every(ctx context.Context, interval time.Duration, check func(context.Context) error, log logr.Logger, msg string) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := check(ctx); err != nil {
			log.Error(err, msg)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Check runs one pass: remember the configuration, or restore it.
func (g *Guard) Check(ctx context.Context) error {
	live := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	err := g.Client.Get(ctx, client.ObjectKey{Name: g.Name}, live)
	switch {
	case apierrors.IsNotFound(err) && g.want == nil:
		return nil // not installed yet: nothing to protect
	case apierrors.IsNotFound(err):
		restore := g.desired()
		if err := g.Client.Create(ctx, restore); err != nil {
			return fmt.Errorf("recreate %s: %w", g.Name, err)
		}
		g.report("deleted")
		return nil
	case err != nil:
		return fmt.Errorf("get %s: %w", g.Name, err)
	case g.want == nil:
		g.want = live.DeepCopy()
		return nil
	}
	want := g.desired()
	if reflect.DeepEqual(live.Webhooks, want.Webhooks) {
		return nil
	}
	live.Webhooks = want.Webhooks
	if err := g.Client.Update(ctx, live); err != nil {
		return fmt.Errorf("restore %s: %w", g.Name, err)
	}
	g.report("modified")
	return nil
}

// desired is the remembered configuration with the current CA bundle.
func (g *Guard) desired() *admissionregistrationv1.ValidatingWebhookConfiguration {
	d := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	d.Name, d.Labels, d.Annotations = g.want.Name, g.want.Labels, g.want.Annotations
	d.Webhooks = make([]admissionregistrationv1.ValidatingWebhook, len(g.want.Webhooks))
	for i := range g.want.Webhooks {
		g.want.Webhooks[i].DeepCopyInto(&d.Webhooks[i])
		if g.CABundle != nil {
			if ca := g.CABundle(); len(ca) > 0 {
				d.Webhooks[i].ClientConfig.CABundle = ca
			}
		}
	}
	return d
}

func (g *Guard) report(reason string) {
	g.Log.Info("restored the webhook configuration", "name", g.Name, "reason", reason)
	if g.Restored != nil {
		g.Restored.WithLabelValues(reason).Inc()
	}
	if g.OnRestore != nil {
		g.OnRestore(reason)
	}
}

package guard

import (
	"context"
	"fmt"
	"maps"
	"reflect"

	"github.com/prometheus/client_golang/prometheus"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/gitgate-dev/gitgate/gitindex/vocab"
)

// Guard restores a ValidatingWebhookConfiguration's webhooks (rules, clientConfig,
// failurePolicy, selectors, match conditions) to what it first saw.
type Guard struct {
	Client client.Client
	Name   string
	// CABundle, if set, returns the current CA bundle (certificate rotation changes
	// it legitimately); otherwise the first-seen caBundle is kept.
	CABundle func() []byte
	// Restored counts restores by reason (deleted, modified).
	Restored *prometheus.CounterVec
	// OnRestore, if set, is told about every restore (audit line, Event).
	OnRestore func(reason string)
	// Declared, if set, returns the exact resources git declares at the current
	// revision (DeclaredResources); every webhook's rules are then narrowed to
	// them (Narrow) from the installed rules, kept in vocab.BaseRulesAnnotation. It
	// returns nil, nil when there is no revision yet, and an error when a kind
	// cannot be mapped: the installed (wildcard) rules are then used. Nil: the
	// rules stay as installed.
	Declared func(ctx context.Context) ([]schema.GroupVersionResource, error)

	want *admissionregistrationv1.ValidatingWebhookConfiguration
	base baseRules
	last map[string][]admissionregistrationv1.RuleWithOperations // the narrowed rules last written
}

// NewRestoredCounter registers gitgate_webhook_config_restored_total.
func NewRestoredCounter(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gitgate_webhook_config_restored_total",
		Help: "Times gitgate restored its ValidatingWebhookConfiguration after it was deleted or modified.",
	}, []string{"reason"})
	return c, reg.Register(c)
}

// Check runs one pass: remember the configuration, or restore it (with its
// rules narrowed to the current revision when Declared is set).
func (g *Guard) Check(ctx context.Context) error {
	live := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	err := g.Client.Get(ctx, client.ObjectKey{Name: g.Name}, live)
	switch {
	case apierrors.IsNotFound(err) && g.want == nil:
		return nil // not installed yet: nothing to protect
	case apierrors.IsNotFound(err):
		if err := g.Client.Create(ctx, g.desired(ctx)); err != nil {
			return fmt.Errorf("recreate %s: %w", g.Name, err)
		}
		g.report(ctx, "deleted")
		return nil
	case err != nil:
		return fmt.Errorf("get %s: %w", g.Name, err)
	case g.want == nil:
		if g.base, err = baseRulesOf(live); err != nil {
			return err
		}
		g.want = live.DeepCopy()
	}
	want := g.desired(ctx)
	if reflect.DeepEqual(live.Webhooks, want.Webhooks) && live.Annotations[vocab.BaseRulesAnnotation] == want.Annotations[vocab.BaseRulesAnnotation] {
		return nil
	}
	narrowing := g.onlyRulesMoved(live, want)
	live.Webhooks = want.Webhooks
	live.Annotations = want.Annotations
	if err := g.Client.Update(ctx, live); err != nil {
		return fmt.Errorf("restore %s: %w", g.Name, err)
	}
	g.remember(want)
	if narrowing {
		logf.FromContext(ctx).Info("narrowed the webhook rules to git's resources", "name", g.Name)
		return nil
	}
	g.report(ctx, "modified")
	return nil
}

// onlyRulesMoved reports whether live differs from want only by gitgate's own
// narrowing: its rules are the installed ones, the ones this guard last wrote, or
// (before it wrote any) some narrowing of the installed ones; and nothing else
// differs. That is a new revision, not a change by someone else.
func (g *Guard) onlyRulesMoved(live, want *admissionregistrationv1.ValidatingWebhookConfiguration) bool {
	if a, ok := live.Annotations[vocab.BaseRulesAnnotation]; ok && a != want.Annotations[vocab.BaseRulesAnnotation] {
		return false
	}
	if !reflect.DeepEqual(withoutRules(live.Webhooks), withoutRules(want.Webhooks)) {
		return false
	}
	for _, w := range live.Webhooks {
		base := g.base[w.Name]
		switch {
		case reflect.DeepEqual(w.Rules, base), reflect.DeepEqual(w.Rules, g.last[w.Name]):
		case g.last == nil && reflect.DeepEqual(w.Rules, Narrow(base, resourcesOf(w.Rules))):
			// a previous process's narrowing, seen on the first pass after a restart
		default:
			return false
		}
	}
	return true
}

func withoutRules(ws []admissionregistrationv1.ValidatingWebhook) []admissionregistrationv1.ValidatingWebhook {
	out := make([]admissionregistrationv1.ValidatingWebhook, len(ws))
	for i := range ws {
		ws[i].DeepCopyInto(&out[i])
		out[i].Rules = nil
	}
	return out
}

func (g *Guard) remember(want *admissionregistrationv1.ValidatingWebhookConfiguration) {
	g.last = map[string][]admissionregistrationv1.RuleWithOperations{}
	for _, w := range want.Webhooks {
		g.last[w.Name] = w.Rules
	}
}

// desired is the remembered configuration with the current CA bundle, the
// installed rules in vocab.BaseRulesAnnotation and every webhook's rules narrowed to
// the current revision (or the installed ones).
func (g *Guard) desired(ctx context.Context) *admissionregistrationv1.ValidatingWebhookConfiguration {
	d := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	d.Name, d.Labels = g.want.Name, g.want.Labels
	d.Annotations = map[string]string{}
	maps.Copy(d.Annotations, g.want.Annotations)
	d.Annotations[vocab.BaseRulesAnnotation] = g.base.String()
	declared := g.declared(ctx)
	d.Webhooks = make([]admissionregistrationv1.ValidatingWebhook, len(g.want.Webhooks))
	for i := range g.want.Webhooks {
		w := &d.Webhooks[i]
		g.want.Webhooks[i].DeepCopyInto(w)
		if base, ok := g.base[w.Name]; ok {
			w.Rules = base
			if declared != nil {
				w.Rules = Narrow(base, declared)
			}
		}
		if g.CABundle != nil {
			if ca := g.CABundle(); len(ca) > 0 {
				w.ClientConfig.CABundle = ca
			}
		}
	}
	return d
}

// declared returns the resources to narrow to, nil to keep the installed rules.
func (g *Guard) declared(ctx context.Context) []schema.GroupVersionResource {
	if g.Declared == nil {
		return nil
	}
	res, err := g.Declared(ctx)
	if err != nil {
		logf.FromContext(ctx).Error(err, "cannot narrow the webhook rules to git's resources; keeping the installed rules")
		return nil
	}
	return res
}

func (g *Guard) report(ctx context.Context, reason string) {
	logf.FromContext(ctx).Info("restored the webhook configuration", "name", g.Name, "reason", reason)
	if g.Restored != nil {
		g.Restored.WithLabelValues(reason).Inc()
	}
	if g.OnRestore != nil {
		g.OnRestore(reason)
	}
}

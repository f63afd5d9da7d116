package guard

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// Mutator is a mutating webhook or MutatingAdmissionPolicy whose rules match
// kinds git declares: it can change what the sync identity applies (an
// implanted container, a rewritten image) without a commit.
type Mutator struct {
	// Kind is MutatingWebhookConfiguration or MutatingAdmissionPolicy; Name the
	// object's name and, for a webhook, "/" and the webhook's name.
	Kind, Name string
	// Resources are the declared resources it matches ("apps/v1/deployments").
	Resources []string
}

// Mutators returns the webhooks and policies whose rules match a CREATE or
// UPDATE of any of resources. Selectors and match conditions are not
// evaluated: a mutator that could match is reported.
func Mutators(webhooks []admissionregistrationv1.MutatingWebhookConfiguration, policies []admissionregistrationv1.MutatingAdmissionPolicy, resources []schema.GroupVersionResource) []Mutator {
	var out []Mutator
	for _, c := range webhooks {
		for _, w := range c.Webhooks {
			exact := w.MatchPolicy != nil && *w.MatchPolicy == admissionregistrationv1.Exact
			if m := matched(w.Rules, exact, resources); len(m) > 0 {
				out = append(out, Mutator{Kind: "MutatingWebhookConfiguration", Name: c.Name + "/" + w.Name, Resources: m})
			}
		}
	}
	for _, p := range policies {
		mc := p.Spec.MatchConstraints
		if mc == nil {
			continue
		}
		rules := make([]admissionregistrationv1.RuleWithOperations, len(mc.ResourceRules))
		for i, r := range mc.ResourceRules {
			rules[i] = r.RuleWithOperations
		}
		exact := mc.MatchPolicy != nil && *mc.MatchPolicy == admissionregistrationv1.Exact
		if m := matched(rules, exact, resources); len(m) > 0 {
			out = append(out, Mutator{Kind: "MutatingAdmissionPolicy", Name: p.Name, Resources: m})
		}
	}
	return out
}

// matched lists the resources rules match on CREATE or UPDATE; versions count
// only under matchPolicy Exact (Equivalent converts any version).
func matched(rules []admissionregistrationv1.RuleWithOperations, exact bool, resources []schema.GroupVersionResource) []string {
	var out []string
	for _, r := range resources {
		for _, rule := range rules {
			if !mutatesObjects(rule.Operations) || !anyOf(rule.APIGroups, r.Group) ||
				(exact && !anyOf(rule.APIVersions, r.Version)) || len(narrowResources(rule.Resources, r.Resource)) == 0 {
				continue
			}
			if s := r.GroupVersion().String() + "/" + r.Resource; !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func mutatesObjects(ops []admissionregistrationv1.OperationType) bool {
	for _, op := range ops {
		if op == admissionregistrationv1.OperationAll || op == admissionregistrationv1.Create || op == admissionregistrationv1.Update {
			return true
		}
	}
	return false
}

// MutatingLoop reports, on each Check (a revision.Loop runs it), the Mutators of what git
// declares: one log line each and the gitgate_mutating_admission_on_governed
// gauge. The drift scan and the webhook see what they add only as drift.
type MutatingLoop struct {
	Reader client.Reader
	// Declared returns the resources git declares (DeclaredResources); nil, nil
	// while there is no revision.
	Declared func(ctx context.Context) ([]schema.GroupVersionResource, error)
	Governed prometheus.Gauge // optional
}

// NewMutatingGauge registers gitgate_mutating_admission_on_governed.
func NewMutatingGauge(reg prometheus.Registerer) (prometheus.Gauge, error) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "gitgate_mutating_admission_on_governed",
		Help: "Mutating webhooks and MutatingAdmissionPolicies whose rules match kinds git declares, at the last check.",
	})
	return g, reg.Register(g)
}

// Check runs one pass; on an error the gauge keeps its last value.
func (l *MutatingLoop) Check(ctx context.Context) error {
	resources, err := l.Declared(ctx)
	if err != nil || resources == nil {
		return err
	}
	var hooks admissionregistrationv1.MutatingWebhookConfigurationList
	if err := l.Reader.List(ctx, &hooks); err != nil {
		return fmt.Errorf("list mutating webhook configurations: %w", err)
	}
	var policies admissionregistrationv1.MutatingAdmissionPolicyList
	if err := l.Reader.List(ctx, &policies); err != nil && !meta.IsNoMatchError(err) {
		return fmt.Errorf("list mutating admission policies: %w", err)
	}
	found := Mutators(hooks.Items, policies.Items, resources)
	for _, m := range found {
		logf.FromContext(ctx).Error(ErrMutates, "mutating admission can change what git declares without a commit",
			"kind", m.Kind, "name", m.Name, "resources", m.Resources)
	}
	if l.Governed != nil {
		l.Governed.Set(float64(len(found)))
	}
	return nil
}

// ErrMutates is logged with each mutating webhook or admission policy that
// can change a resource git declares.
var ErrMutates = errors.New("a mutating admission covers resources git declares")

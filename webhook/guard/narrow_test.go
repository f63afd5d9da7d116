package guard

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

var (
	ops      = []admissionregistrationv1.OperationType{"CREATE", "UPDATE", "DELETE"}
	allScope = admissionregistrationv1.AllScopes
)

func webhookRule(groups, versions, resources []string) admissionregistrationv1.RuleWithOperations {
	return admissionregistrationv1.RuleWithOperations{Operations: ops, Rule: admissionregistrationv1.Rule{
		APIGroups: groups, APIVersions: versions, Resources: resources, Scope: &allScope}}
}

var (
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	hpas        = schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}
	namespaces  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	pods        = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	bindings    = schema.GroupVersionResource{Version: "v1", Resource: "bindings"}
)

func TestNarrow(t *testing.T) {
	all := []string{"*"}
	shipped := webhookRule(all, all, []string{"*", "*/scale", "pods/ephemeralcontainers", "pods/eviction", "namespaces/finalize"})
	tests := []struct {
		name      string
		base      []admissionregistrationv1.RuleWithOperations
		resources []schema.GroupVersionResource
		want      []admissionregistrationv1.RuleWithOperations
	}{
		{
			name:      "wildcards become git's group/version/resources, with their subresources",
			base:      []admissionregistrationv1.RuleWithOperations{shipped},
			resources: []schema.GroupVersionResource{deployments, hpas, bindings, namespaces, pods},
			want: []admissionregistrationv1.RuleWithOperations{
				webhookRule([]string{"apps"}, []string{"v1"}, []string{"deployments", "deployments/scale"}),
				webhookRule([]string{"autoscaling"}, []string{"v2"}, []string{"horizontalpodautoscalers", "horizontalpodautoscalers/scale"}),
				webhookRule([]string{""}, []string{"v1"}, []string{"bindings", "bindings/scale", "namespaces", "namespaces/scale", "namespaces/finalize",
					"pods", "pods/scale", "pods/ephemeralcontainers", "pods/eviction"}),
			},
		},
		{
			name:      "status",
			base:      []admissionregistrationv1.RuleWithOperations{webhookRule(all, all, []string{"*/status"})},
			resources: []schema.GroupVersionResource{deployments, namespaces},
			want: []admissionregistrationv1.RuleWithOperations{
				webhookRule([]string{"apps"}, []string{"v1"}, []string{"deployments/status"}),
				webhookRule([]string{""}, []string{"v1"}, []string{"namespaces/status"}),
			},
		},
		{
			name:      "an exact rule keeps only what it names",
			base:      []admissionregistrationv1.RuleWithOperations{webhookRule([]string{"apps"}, all, []string{"deployments"})},
			resources: []schema.GroupVersionResource{deployments, hpas},
			want:      []admissionregistrationv1.RuleWithOperations{webhookRule([]string{"apps"}, []string{"v1"}, []string{"deployments"})},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Narrow(tt.base, tt.resources)); diff != "" {
				t.Errorf("Narrow (-want +got):\n%s", diff)
			}
		})
	}
}

// The guard narrows on every revision from the installed rules (kept in an
// annotation), so a restarted guard on a newer commit does not narrow from the
// previous revision's rules; its own narrowing is no restore, someone else's
// change is.
func TestGuardNarrows(t *testing.T) {
	shipped := webhookRule([]string{"*"}, []string{"*"}, []string{"*"})
	fail := admissionregistrationv1.Fail
	installed := &admissionregistrationv1.ValidatingWebhookConfiguration{Webhooks: []admissionregistrationv1.ValidatingWebhook{{
		Name: "validate.gitgate.dev", FailurePolicy: &fail, Rules: []admissionregistrationv1.RuleWithOperations{shipped}}}}
	installed.Name = "gitgate"
	c := fake.NewClientBuilder().WithObjects(installed).Build()
	var restores []string
	newGuard := func(res ...schema.GroupVersionResource) *Guard {
		return &Guard{Client: c, Name: "gitgate", OnRestore: func(r string) { restores = append(restores, r) },
			Declared: func(context.Context) ([]schema.GroupVersionResource, error) { return res, nil }}
	}
	rules := func() []admissionregistrationv1.RuleWithOperations {
		live := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := c.Get(t.Context(), client.ObjectKey{Name: "gitgate"}, live); err != nil {
			t.Fatal(err)
		}
		return live.Webhooks[0].Rules
	}
	check := func(g *Guard) {
		if err := g.Check(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	check(newGuard(deployments, namespaces))
	want := Narrow([]admissionregistrationv1.RuleWithOperations{shipped}, []schema.GroupVersionResource{deployments, namespaces})
	if diff := cmp.Diff(want, rules()); diff != "" || len(restores) != 0 {
		t.Fatalf("first revision: restores %v, rules (-want +got):\n%s", restores, diff)
	}
	restarted := newGuard(deployments, hpas, namespaces)
	check(restarted)
	want = Narrow([]admissionregistrationv1.RuleWithOperations{shipped}, []schema.GroupVersionResource{deployments, hpas, namespaces})
	if diff := cmp.Diff(want, rules()); diff != "" || len(restores) != 0 {
		t.Fatalf("restarted on a new revision: restores %v, rules (-want +got):\n%s", restores, diff)
	}
	live := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := c.Get(t.Context(), client.ObjectKey{Name: "gitgate"}, live); err != nil {
		t.Fatal(err)
	}
	live.Webhooks[0].Rules = live.Webhooks[0].Rules[:1] // someone drops the HPA rule
	if err := c.Update(t.Context(), live); err != nil {
		t.Fatal(err)
	}
	check(restarted)
	if diff := cmp.Diff(want, rules()); diff != "" || !cmp.Equal(restores, []string{"modified"}) {
		t.Errorf("after a change by someone else: restores %v, rules (-want +got):\n%s", restores, diff)
	}
}

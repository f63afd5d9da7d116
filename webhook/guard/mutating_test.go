package guard

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestMutators(t *testing.T) {
	exact := admissionregistrationv1.Exact
	hook := func(name string, rules ...admissionregistrationv1.RuleWithOperations) admissionregistrationv1.MutatingWebhookConfiguration {
		return admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name},
			Webhooks: []admissionregistrationv1.MutatingWebhook{{Name: "m.example.com", Rules: rules}}}
	}
	deleteOnly := webhookRule([]string{"*"}, []string{"*"}, []string{"*"})
	deleteOnly.Operations = []admissionregistrationv1.OperationType{admissionregistrationv1.Delete}
	exactHook := hook("exact-v1beta1", webhookRule([]string{"apps"}, []string{"v1beta1"}, []string{"deployments"}))
	exactHook.Webhooks[0].MatchPolicy = &exact
	policy := admissionregistrationv1.MutatingAdmissionPolicy{ObjectMeta: metav1.ObjectMeta{Name: "implant"},
		Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{MatchConstraints: &admissionregistrationv1.MatchResources{
			ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: webhookRule([]string{"apps"}, []string{"v1"}, []string{"deployments"})}}}}}
	tests := []struct {
		name     string
		webhooks []admissionregistrationv1.MutatingWebhookConfiguration
		policies []admissionregistrationv1.MutatingAdmissionPolicy
		want     []Mutator
	}{
		{name: "a wildcard webhook", webhooks: []admissionregistrationv1.MutatingWebhookConfiguration{hook("sidecar", webhookRule([]string{"*"}, []string{"*"}, []string{"*"}))},
			want: []Mutator{{Kind: "MutatingWebhookConfiguration", Name: "sidecar/m.example.com", Resources: []string{"apps/v1/deployments", "v1/namespaces"}}}},
		{name: "another kind only", webhooks: []admissionregistrationv1.MutatingWebhookConfiguration{hook("pods", webhookRule([]string{""}, []string{"v1"}, []string{"pods"}))}},
		{name: "DELETE only", webhooks: []admissionregistrationv1.MutatingWebhookConfiguration{hook("del", deleteOnly)}},
		{name: "another version, matched exactly", webhooks: []admissionregistrationv1.MutatingWebhookConfiguration{exactHook}},
		{name: "a MutatingAdmissionPolicy", policies: []admissionregistrationv1.MutatingAdmissionPolicy{policy},
			want: []Mutator{{Kind: "MutatingAdmissionPolicy", Name: "implant", Resources: []string{"apps/v1/deployments"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Mutators(tt.webhooks, tt.policies, []schema.GroupVersionResource{deployments, namespaces})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Mutators (-want +got):\n%s", diff)
			}
		})
	}
}

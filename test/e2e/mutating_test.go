package e2e

import (
	"context"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A mutating webhook that matches a kind git declares is reported by the shared
// gitgate (log and gitgate_mutating_admission_on_governed), and no longer once
// it is gone. Its objectSelector matches nothing, so it is never called.
func TestMutatingAdmissionReported(t *testing.T) {
	const series = "gitgate_mutating_admission_on_governed "
	url := "https://127.0.0.1:1/never"
	none, sideEffects := admissionregistrationv1.Ignore, admissionregistrationv1.SideEffectClassNone
	mwc := &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "gp-implant"},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name: "implant.example.com", AdmissionReviewVersions: []string{"v1"}, SideEffects: &sideEffects, FailurePolicy: &none,
			ClientConfig:   admissionregistrationv1.WebhookClientConfig{URL: &url},
			ObjectSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"gitgate-e2e": "never"}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"apps"}, APIVersions: []string{"v1"}, Resources: []string{"deployments"}},
			}},
		}},
	}
	if err := cp.Client.Create(t.Context(), mwc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Client.Delete(context.Background(), mwc) })
	eventually(t, 15*time.Second, func() string {
		if l := metricLine(t, gg, series); l != series+"1" {
			return "metric is " + l
		}
		return ""
	})
	if !contains(readFileOrEmpty(t, gg.Dir+"/gitgate.log"), "mutating admission can change what git declares") {
		t.Error("no warning in gitgate's log")
	}
	if err := cp.Client.Delete(t.Context(), mwc); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, func() string {
		if l := metricLine(t, gg, series); l != series+"0" {
			return "metric is " + l
		}
		return ""
	})
}

package main

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/webhook"
)

// The shipped webhook configuration routes exactly the built-in controller
// identities and kubelets to its fail-open webhook, and keeps them from the
// fail-closed one; an added --controller-user is reported.
func TestShippedWebhookRoutesDefaultControllers(t *testing.T) {
	data, err := os.ReadFile("../../manifests/webhook.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := yaml.UnmarshalStrict(data, &vwc); err != nil {
		t.Fatal(err)
	}
	cel := failOpenConditions(&vwc)
	if cel == "" {
		t.Fatal("no fail-open webhook in manifests/webhook.yaml")
	}
	if got := unrouted(cel, webhook.BuiltinControllers()); len(got) != 0 {
		t.Errorf("built-in controllers not routed: %v", got)
	}
	got := unrouted(cel, append(webhook.BuiltinControllers(), "system:serviceaccount:cert-manager:cert-manager", "argo"))
	want := []string{"user system:serviceaccount:cert-manager:cert-manager", "user argo"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unrouted (-want +got):\n%s", diff)
	}
	if got := unrouted("request.userInfo.username in ['system:kube-scheduler']", []string{"system:kube-scheduler"}); len(got) != 1 {
		t.Errorf("a configuration without the kubelet rule: unrouted = %v, want kubelets", got)
	}
	for _, w := range vwc.Webhooks {
		for _, c := range w.MatchConditions {
			if strings.Contains(c.Expression, "startsWith('system:serviceaccount:") {
				t.Errorf("webhook %s condition %s matches a ServiceAccount prefix: %s", w.Name, c.Name, c.Expression)
			}
		}
		if w.FailurePolicy != nil && *w.FailurePolicy == admissionregistrationv1.Fail {
			closed := ""
			for _, c := range w.MatchConditions {
				closed += c.Expression + "\n"
			}
			if got := unrouted(closed, webhook.BuiltinControllers()); len(got) != 0 {
				t.Errorf("the fail-closed webhook %s does not exclude %v", w.Name, got)
			}
		}
	}
}

package main

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/webhook"
)

// The shipped webhook configuration routes every default controller identity to
// its fail-open webhook; an added one is reported.
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
	if got := unrouted(cel, webhook.DefaultControllerUsers, webhook.DefaultControllerGroups); len(got) != 0 {
		t.Errorf("default controllers not routed: %v", got)
	}
	got := unrouted(cel, append(webhook.DefaultControllerUsers, "system:serviceaccount:cert-manager:*", "argo"), append(webhook.DefaultControllerGroups, "operators"))
	want := []string{"user system:serviceaccount:cert-manager:*", "user argo", "group operators"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unrouted (-want +got):\n%s", diff)
	}
}

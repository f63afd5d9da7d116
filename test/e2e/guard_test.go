package e2e

import (
	"context"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The webhook configuration cannot be protected by admission; gitgate restores it.
func TestWebhookConfigIsRestored(t *testing.T) {
	const name = "gitgate-guarded"
	g := startGitgate(t, "guard", cp.Sync,
		"--repo="+repo.Dir, "--path=k8s", "--drift-interval=0", "--guard-webhook-config", "--webhook-config="+name)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	registerWebhook(t, g, name, selectNoNamespace)
	time.Sleep(6 * time.Second) // the guard's first pass remembers the configuration

	live := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	if err := cp.Client.Get(ctx, client.ObjectKey{Name: name}, live); err != nil {
		t.Fatal(err)
	}
	ignore := admissionregistrationv1.Ignore
	live.Webhooks[0].FailurePolicy = &ignore
	if err := cp.Client.Update(ctx, live); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, func() string {
		if err := cp.Client.Get(ctx, client.ObjectKey{Name: name}, live); err != nil {
			return err.Error()
		}
		if p := live.Webhooks[0].FailurePolicy; p == nil || *p != admissionregistrationv1.Fail {
			return "failurePolicy not restored"
		}
		return ""
	})
	if err := cp.Client.Delete(ctx, live); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, func() string {
		if err := cp.Client.Get(ctx, client.ObjectKey{Name: name}, live); err != nil {
			return "not recreated: " + err.Error()
		}
		return ""
	})
	m, _ := g.Metrics()
	for _, want := range []string{`gitgate_webhook_config_restored_total{reason="modified"} 1`, `gitgate_webhook_config_restored_total{reason="deleted"} 1`} {
		if !contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

package certs

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

const webhookConfigName = "gitgate"

func webhookConfig(webhooks ...string) *admissionregistrationv1.ValidatingWebhookConfiguration {
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	cfg.Name = webhookConfigName
	for _, name := range webhooks {
		cfg.Webhooks = append(cfg.Webhooks, admissionregistrationv1.ValidatingWebhook{Name: name})
	}
	return cfg
}

// caBundles returns the caBundle of each webhook of the configuration, and
// its resourceVersion.
func caBundles(t *testing.T, c client.Client) ([]string, string) {
	t.Helper()
	var cfg admissionregistrationv1.ValidatingWebhookConfiguration
	if err := c.Get(t.Context(), client.ObjectKey{Name: webhookConfigName}, &cfg); err != nil {
		t.Fatalf("get webhook configuration: %v", err)
	}
	var got []string
	for _, w := range cfg.Webhooks {
		got = append(got, string(w.ClientConfig.CABundle))
	}
	return got, cfg.ResourceVersion
}

func TestInjectCABundle(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	c := fake.NewClientBuilder().WithObjects(webhookConfig("a.gitgate.dev", "b.gitgate.dev")).Build()

	changed, err := InjectCABundle(t.Context(), c, webhookConfigName, b.CACert)
	if err != nil || !changed {
		t.Fatalf("first InjectCABundle = %v, %v; want true, nil", changed, err)
	}
	got, rv := caBundles(t, c)
	if diff := cmp.Diff([]string{string(b.CACert), string(b.CACert)}, got); diff != "" {
		t.Errorf("caBundles (-want +got):\n%s", diff)
	}

	changed, err = InjectCABundle(t.Context(), c, webhookConfigName, b.CACert)
	if err != nil || changed {
		t.Fatalf("second InjectCABundle = %v, %v; want false, nil", changed, err)
	}
	if _, rv2 := caBundles(t, c); rv2 != rv {
		t.Errorf("resourceVersion %s -> %s: an unchanged bundle was written", rv, rv2)
	}

	other := mustGenerate(t, testOptions(), t0)
	if changed, err = InjectCABundle(t.Context(), c, webhookConfigName, other.CACert); err != nil || !changed {
		t.Fatalf("InjectCABundle(new CA) = %v, %v; want true, nil", changed, err)
	}
	if got, _ := caBundles(t, c); got[0] != string(other.CACert) {
		t.Error("caBundle was not replaced")
	}
}

func TestInjectCABundleErrors(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	tests := []struct {
		name  string
		objs  []client.Object
		caPEM []byte
	}{
		{name: "configuration missing", caPEM: b.CACert},
		{name: "not a CA", objs: []client.Object{webhookConfig("a")}, caPEM: b.Cert},
		{name: "empty bundle", objs: []client.Object{webhookConfig("a")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fake.NewClientBuilder().WithObjects(tt.objs...).Build()
			if _, err := InjectCABundle(t.Context(), c, webhookConfigName, tt.caPEM); err == nil {
				t.Error("InjectCABundle succeeded, want error")
			}
		})
	}
}

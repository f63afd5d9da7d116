package guard

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

func vwc(policy admissionregistrationv1.FailurePolicyType, ca string) *admissionregistrationv1.ValidatingWebhookConfiguration {
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name: "validate.gitgate.dev", FailurePolicy: &policy,
			ClientConfig: admissionregistrationv1.WebhookClientConfig{CABundle: []byte(ca)},
		}},
	}
}

func TestGuardRestores(t *testing.T) {
	want := vwc(admissionregistrationv1.Fail, "ca-1")
	want.Name = "gitgate"
	c := fake.NewClientBuilder().WithObjects(want).Build()
	var reasons []string
	ca := "ca-1"
	g := &Guard{Client: c, Name: "gitgate", CABundle: func() []byte { return []byte(ca) },
		OnRestore: func(r string) { reasons = append(reasons, r) }}
	get := func() *admissionregistrationv1.ValidatingWebhookConfiguration {
		live := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := c.Get(t.Context(), client.ObjectKey{Name: "gitgate"}, live); err != nil {
			t.Fatal(err)
		}
		return live
	}
	if err := g.Check(t.Context()); err != nil || len(reasons) != 0 {
		t.Fatalf("first pass remembers: err %v, restores %v", err, reasons)
	}
	live := get()
	ignore := admissionregistrationv1.Ignore
	live.Webhooks[0].FailurePolicy = &ignore
	if err := c.Update(t.Context(), live); err != nil {
		t.Fatal(err)
	}
	if err := g.Check(t.Context()); err != nil || *get().Webhooks[0].FailurePolicy != admissionregistrationv1.Fail {
		t.Fatalf("modified policy not restored: %v", err)
	}
	// A rotated CA is not a tampering: the guard follows it.
	ca = "ca-2"
	if err := g.Check(t.Context()); err != nil || string(get().Webhooks[0].ClientConfig.CABundle) != "ca-2" {
		t.Fatalf("caBundle does not follow the rotation: %v", err)
	}
	if err := c.Delete(t.Context(), get()); err != nil {
		t.Fatal(err)
	}
	if err := g.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := get(); *got.Webhooks[0].FailurePolicy != admissionregistrationv1.Fail {
		t.Fatal("recreated configuration differs")
	}
	if len(reasons) != 3 || reasons[0] != "modified" || reasons[2] != "deleted" {
		t.Fatalf("restores = %v", reasons)
	}
}

func TestGuardIgnoresMissingBeforeFirstSight(t *testing.T) {
	g := &Guard{Client: fake.NewClientBuilder().Build(), Name: "gitgate"}
	if err := g.Check(t.Context()); err != nil {
		t.Fatal(err)
	}
}

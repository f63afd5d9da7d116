package certs

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

func TestRotatorStart(t *testing.T) {
	c := fake.NewClientBuilder().WithObjects(webhookConfig("a")).Build()
	now := t0
	r := testRotator(t, c, &now)
	r.Now = nil // the real clock; Start reads it from its own goroutine
	r.Interval = time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Start(ctx) }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		var s corev1.Secret
		err := c.Get(t.Context(), client.ObjectKey{Namespace: testNamespace, Name: testSecretName}, &s)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Start did not create the secret: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Start() = %v, want nil after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Start did not return after cancel")
	}
}

func TestRotatorInvalid(t *testing.T) {
	c := fake.NewClientBuilder().Build()
	tests := []struct {
		name   string
		mutate func(*Rotator)
	}{
		{name: "no client", mutate: func(r *Rotator) { r.Client = nil }},
		{name: "no namespace", mutate: func(r *Rotator) { r.Namespace = "" }},
		{name: "no secret name", mutate: func(r *Rotator) { r.SecretName = "" }},
		{name: "no cert dir", mutate: func(r *Rotator) { r.CertDir = "" }},
		{name: "negative interval", mutate: func(r *Rotator) { r.Interval = -time.Second }},
		{name: "no names", mutate: func(r *Rotator) { r.Options = Options{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			r := testRotator(t, c, &now)
			tt.mutate(r)
			if err := r.Start(t.Context()); err == nil {
				t.Error("Start succeeded, want a configuration error")
			}
			if err := r.Reconcile(t.Context()); err == nil {
				t.Error("Reconcile succeeded, want a configuration error")
			}
		})
	}
}

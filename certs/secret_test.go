package certs

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestToSecret(t *testing.T) {
	b := &Bundle{CACert: []byte("ca"), CAKey: []byte("cakey"), Cert: []byte("crt"), Key: []byte("key")}
	want := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "gitgate-tls"},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			"ca.crt": []byte("ca"), "ca.key": []byte("cakey"), "tls.crt": []byte("crt"), "tls.key": []byte("key"),
		},
	}
	if diff := cmp.Diff(want, ToSecret("ns", "gitgate-tls", b)); diff != "" {
		t.Errorf("ToSecret (-want +got):\n%s", diff)
	}
	b.CAKey = nil
	if _, ok := ToSecret("ns", "n", b).Data["ca.key"]; ok {
		t.Error("ToSecret wrote ca.key for a bundle without a CA key")
	}
}

func TestFromSecret(t *testing.T) {
	full := mustGenerate(t, testOptions(), t0)
	noCAKey := &Bundle{CACert: full.CACert, Cert: full.Cert, Key: full.Key}
	without := func(key string) *corev1.Secret {
		s := ToSecret("ns", "n", full)
		delete(s.Data, key)
		return s
	}
	tests := []struct {
		name    string
		s       *corev1.Secret
		want    *Bundle
		wantErr bool
	}{
		{name: "round trip", s: ToSecret("ns", "n", full), want: full},
		{name: "no CA key", s: without(CAKeyFile), want: noCAKey},
		{name: "no cert", s: without(CertFile), wantErr: true},
		{name: "no key", s: without(KeyFile), wantErr: true},
		{name: "no CA", s: without(CACertFile), wantErr: true},
		{name: "nil", s: nil, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromSecret(tt.s)
			if (err != nil) != tt.wantErr {
				t.Fatalf("FromSecret() error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FromSecret (-want +got):\n%s", diff)
			}
		})
	}
}

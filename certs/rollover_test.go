package certs

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

// TestRotatorCARollover walks a CA through its rollover: the new CA is
// trusted before it signs anything, the old one stays trusted while a
// certificate it signed may be served, and is dropped once expired.
func TestRotatorCARollover(t *testing.T) {
	opts := Options{DNSNames: []string{"gitgate.gitgate-system.svc"}, CAValidity: 30 * time.Hour, Validity: 3 * time.Hour}
	// CA [t0-1m, t0+30h] is due from about t0+20h; the serving cert, issued
	// at t0+20h, is valid until t0+23h and due from about t0+22h.
	old := mustGenerate(t, opts, t0)
	old, err := Renew(old, opts, t0.Add(20*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s := ToSecret(testNamespace, testSecretName, old)
	c := fake.NewClientBuilder().WithObjects(s, webhookConfig("a")).Build()
	now := t0.Add(20*time.Hour + time.Minute)
	r := testRotator(t, c, &now)
	r.Options = opts

	mustReconcile(t, r)
	rolled := secretBundle(t, c)
	cas := mustCerts(t, rolled.CACert)
	if len(cas) != 2 || !bytes.Equal(cas[1].Raw, mustCerts(t, old.CACert)[0].Raw) {
		t.Fatalf("after rollover ca.crt holds %d certificates, want the new CA then the old one", len(cas))
	}
	if !bytes.Equal(rolled.Cert, old.Cert) {
		t.Error("rollover replaced a serving certificate that was not due")
	}
	if bytes.Equal(rolled.CAKey, old.CAKey) {
		t.Error("rollover kept the old CA key")
	}
	checkServing(t, r)

	now = t0.Add(22*time.Hour + 30*time.Minute)
	mustReconcile(t, r)
	renewed := secretBundle(t, c)
	if err := mustCerts(t, renewed.Cert)[0].CheckSignatureFrom(cas[0]); err != nil {
		t.Errorf("renewed serving certificate is not signed by the new CA: %v", err)
	}
	if !bytes.Equal(renewed.CACert, rolled.CACert) {
		t.Error("renewal changed ca.crt while the old CA is still valid")
	}

	now = t0.Add(31 * time.Hour)
	mustReconcile(t, r)
	pruned := secretBundle(t, c)
	if diff := cmp.Diff(encodeCerts(cas[0].Raw), pruned.CACert); diff != "" {
		t.Errorf("ca.crt after the old CA expired (-want +got):\n%s", diff)
	}
	checkServing(t, r)
}

func TestPlanUnchanged(t *testing.T) {
	b := mustGenerate(t, testOptions(), t0)
	next, reason, err := plan(b, testOptions(), t0.Add(time.Hour))
	if err != nil || reason != "" {
		t.Fatalf("plan(fresh) = %q, %v; want no change", reason, err)
	}
	if diff := cmp.Diff(b, next); diff != "" {
		t.Errorf("plan(fresh) changed the bundle (-want +got):\n%s", diff)
	}
}

// TestRotatorRolloverDefersRenewal has the CA and the serving certificate
// due together: the first pass only adds the new CA to the bundle, the next
// one renews the certificate with it.
func TestRotatorRolloverDefersRenewal(t *testing.T) {
	opts := Options{DNSNames: []string{"gitgate.gitgate-system.svc"}, CAValidity: 30 * time.Hour, Validity: 30 * time.Hour}
	old := mustGenerate(t, opts, t0)
	c := fake.NewClientBuilder().WithObjects(ToSecret(testNamespace, testSecretName, old), webhookConfig("a")).Build()
	now := t0.Add(21 * time.Hour)
	r := testRotator(t, c, &now)
	r.Options = opts

	mustReconcile(t, r)
	rolled := secretBundle(t, c)
	if len(mustCerts(t, rolled.CACert)) != 2 {
		t.Fatal("CA was not rolled over")
	}
	if !bytes.Equal(rolled.Cert, old.Cert) {
		t.Fatal("serving certificate was renewed in the pass that rolled the CA over")
	}
	checkServing(t, r)

	mustReconcile(t, r)
	renewed := secretBundle(t, c)
	if err := mustCerts(t, renewed.Cert)[0].CheckSignatureFrom(mustCerts(t, rolled.CACert)[0]); err != nil {
		t.Errorf("next pass did not renew with the new CA: %v", err)
	}
	checkServing(t, r)
}

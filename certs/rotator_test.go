package certs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

var (
	_ manager.Runnable               = (*Rotator)(nil)
	_ manager.LeaderElectionRunnable = (*Rotator)(nil)
)

const (
	testNamespace  = "gitgate-system"
	testSecretName = "gitgate-tls"
)

// testRotator returns a Rotator over c whose clock reads *now.
func testRotator(t *testing.T, c client.Client, now *time.Time) *Rotator {
	t.Helper()
	return &Rotator{
		Client:            c,
		Namespace:         testNamespace,
		SecretName:        testSecretName,
		CertDir:           filepath.Join(t.TempDir(), "certs"),
		WebhookConfigName: webhookConfigName,
		Options:           testOptions(),
		Now:               func() time.Time { return *now },
	}
}

func mustReconcile(t *testing.T, r *Rotator) {
	t.Helper()
	if err := r.Reconcile(t.Context()); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
}

func getSecret(t *testing.T, c client.Client) *corev1.Secret {
	t.Helper()
	var s corev1.Secret
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: testNamespace, Name: testSecretName}, &s); err != nil {
		t.Fatalf("get secret: %v", err)
	}
	return &s
}

func secretBundle(t *testing.T, c client.Client) *Bundle {
	t.Helper()
	b, err := FromSecret(getSecret(t, c))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkServing checks that the cert dir and the caBundle match the Secret.
func checkServing(t *testing.T, r *Rotator) {
	t.Helper()
	b := secretBundle(t, r.Client)
	got, err := ReadDir(r.CertDir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Bundle{CACert: b.CACert, Cert: b.Cert, Key: b.Key}, got); diff != "" {
		t.Errorf("cert dir differs from the secret (-secret +dir):\n%s", diff)
	}
	bundles, _ := caBundles(t, r.Client)
	if diff := cmp.Diff([]string{string(b.CACert)}, bundles); diff != "" {
		t.Errorf("caBundle differs from the secret's ca.crt (-secret +caBundle):\n%s", diff)
	}
}

func TestRotatorCreatesSecret(t *testing.T) {
	now := t0
	c := fake.NewClientBuilder().WithObjects(webhookConfig("a.gitgate.dev")).Build()
	r := testRotator(t, c, &now)
	mustReconcile(t, r)

	s := getSecret(t, c)
	if s.Type != corev1.SecretTypeTLS {
		t.Errorf("secret type = %s, want %s", s.Type, corev1.SecretTypeTLS)
	}
	b := secretBundle(t, c)
	if len(b.CAKey) == 0 {
		t.Error("secret has no CA key")
	}
	if notAfter, err := Parse(b); err != nil || !notAfter.Equal(t0.Add(DefaultValidity)) {
		t.Errorf("Parse(secret) = %s, %v", notAfter, err)
	}
	checkServing(t, r)
}

func TestRotatorNoChurn(t *testing.T) {
	now := t0
	c := fake.NewClientBuilder().WithObjects(webhookConfig("a.gitgate.dev")).Build()
	r := testRotator(t, c, &now)
	mustReconcile(t, r)
	secretRV := getSecret(t, c).ResourceVersion
	_, cfgRV := caBundles(t, c)
	files := stats(t, r.CertDir)

	now = t0.Add(24 * time.Hour)
	mustReconcile(t, r)
	if rv := getSecret(t, c).ResourceVersion; rv != secretRV {
		t.Errorf("secret resourceVersion %s -> %s", secretRV, rv)
	}
	if _, rv := caBundles(t, c); rv != cfgRV {
		t.Errorf("webhook configuration resourceVersion %s -> %s", cfgRV, rv)
	}
	for name, fi := range stats(t, r.CertDir) {
		if !os.SameFile(files[name], fi) {
			t.Errorf("%s was rewritten", name)
		}
	}
}

func TestRotatorRenews(t *testing.T) {
	now := t0
	c := fake.NewClientBuilder().WithObjects(webhookConfig("a.gitgate.dev")).Build()
	r := testRotator(t, c, &now)
	mustReconcile(t, r)
	before := secretBundle(t, c)
	_, cfgRV := caBundles(t, c)

	now = t0.Add(DefaultValidity * 2 / 3).Add(time.Hour)
	mustReconcile(t, r)
	after := secretBundle(t, c)
	if !bytes.Equal(after.CACert, before.CACert) || !bytes.Equal(after.CAKey, before.CAKey) {
		t.Error("renewal changed the CA")
	}
	if bytes.Equal(after.Cert, before.Cert) {
		t.Fatal("serving certificate was not renewed")
	}
	if notAfter, _ := Parse(after); !notAfter.Equal(now.Add(DefaultValidity)) {
		t.Errorf("renewed NotAfter = %s, want %s", notAfter, now.Add(DefaultValidity))
	}
	if _, rv := caBundles(t, c); rv != cfgRV {
		t.Error("renewal with the same CA rewrote the webhook configuration")
	}
	checkServing(t, r)
}

func TestRotatorRenewsOnNameChange(t *testing.T) {
	now := t0
	c := fake.NewClientBuilder().WithObjects(webhookConfig("a.gitgate.dev")).Build()
	r := testRotator(t, c, &now)
	mustReconcile(t, r)
	before := secretBundle(t, c)

	r.Options.DNSNames = append(r.Options.DNSNames, "gitgate.other.svc")
	mustReconcile(t, r)
	after := secretBundle(t, c)
	if !bytes.Equal(after.CACert, before.CACert) {
		t.Error("a name change replaced the CA")
	}
	if got := mustCerts(t, after.Cert)[0].DNSNames; !cmp.Equal(got, r.Options.DNSNames) {
		t.Errorf("DNS names = %v, want %v", got, r.Options.DNSNames)
	}
	checkServing(t, r)
}

func TestRotatorRepairsSecret(t *testing.T) {
	good := mustGenerate(t, testOptions(), t0)
	tests := []struct {
		name   string
		data   map[string][]byte
		now    time.Time
		keepCA bool
	}{
		{name: "corrupt serving cert", data: map[string][]byte{"ca.crt": good.CACert, "ca.key": good.CAKey, "tls.crt": []byte("junk"), "tls.key": good.Key}, now: t0, keepCA: true},
		{name: "serving key missing", data: map[string][]byte{"ca.crt": good.CACert, "ca.key": good.CAKey, "tls.crt": good.Cert}, now: t0, keepCA: true},
		{name: "CA key missing", data: map[string][]byte{"ca.crt": good.CACert, "tls.crt": good.Cert, "tls.key": good.Key}, now: t0},
		{name: "empty", data: nil, now: t0},
		{name: "CA expired", data: ToSecret("", "", good).Data, now: t0.Add(DefaultCAValidity + time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &corev1.Secret{Data: tt.data, Type: corev1.SecretTypeTLS}
			s.Namespace, s.Name = testNamespace, testSecretName
			c := fake.NewClientBuilder().WithObjects(s, webhookConfig("a")).Build()
			now := tt.now
			r := testRotator(t, c, &now)
			mustReconcile(t, r)
			b := secretBundle(t, c)
			if NeedsRenewal(b, now) {
				t.Error("repaired bundle needs renewal")
			}
			if got := bytes.Equal(b.CACert, good.CACert); got != tt.keepCA {
				t.Errorf("CA kept = %v, want %v", got, tt.keepCA)
			}
			checkServing(t, r)
		})
	}
}

// TestRotatorCreateRace has another replica create the Secret between this
// one's Get and Create; both must end up serving the winner's certificate.
func TestRotatorCreateRace(t *testing.T) {
	winner := mustGenerate(t, testOptions(), t0)
	raced := false
	c := fake.NewClientBuilder().WithObjects(webhookConfig("a")).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			if !raced {
				raced = true
				if err := c.Create(ctx, ToSecret(testNamespace, testSecretName, winner)); err != nil {
					return err
				}
			}
			return c.Create(ctx, obj, opts...)
		},
	}).Build()
	now := t0
	r := testRotator(t, c, &now)
	mustReconcile(t, r)
	if diff := cmp.Diff(winner, secretBundle(t, c)); diff != "" {
		t.Errorf("secret is not the winner's (-want +got):\n%s", diff)
	}
	checkServing(t, r)
}

func TestRotatorPartialFailure(t *testing.T) {
	now := t0
	c := fake.NewClientBuilder().Build() // no webhook configuration yet
	r := testRotator(t, c, &now)
	if err := r.Reconcile(t.Context()); err == nil {
		t.Fatal("Reconcile without a webhook configuration succeeded, want error")
	}
	if _, err := Parse(secretBundle(t, c)); err != nil {
		t.Errorf("secret: %v", err)
	}
	if _, err := ReadDir(r.CertDir); err != nil {
		t.Errorf("cert dir was not written: %v", err)
	}

	if err := c.Create(t.Context(), webhookConfig("a")); err != nil {
		t.Fatal(err)
	}
	mustReconcile(t, r)
	checkServing(t, r)
}

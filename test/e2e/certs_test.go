package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/certs"
)

// servedCert returns the serial number of the certificate gitgate serves.
func servedCert(t *testing.T, port int) string {
	t.Helper()
	conn, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // reading the served cert
	if err != nil {
		return "dial: " + err.Error()
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

// gitgate keeps its serving certificate in a Secret, renews it before expiry,
// serves the new one without a restart and keeps the webhook's caBundle current.
func TestCertificateRotation(t *testing.T) {
	const name, secret = "gitgate-rotated", "gitgate-rotated-tls"
	g := startGitgate(t, "rotate", cp.Sync,
		"--repo="+repo.Dir, "--path=k8s", "--drift-interval=0", "--rotate-certs", "--cert-secret=default/"+secret,
		"--webhook-config="+name, "--cert-ip=127.0.0.1", "--cert-dns-name=localhost", "--cert-check-interval=2s")
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	registerWebhook(t, g, name, func(w *admissionregistrationv1.ValidatingWebhook) {
		w.ClientConfig.CABundle = nil
		selectNoNamespace(w)
	})
	bundle := func() *certs.Bundle {
		s := &corev1.Secret{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: "default", Name: secret}, s); err != nil {
			t.Fatal(err)
		}
		b, err := certs.FromSecret(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	caFollows := func() string {
		live := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Name: name}, live); err != nil {
			return err.Error()
		}
		if !bytes.Equal(live.Webhooks[0].ClientConfig.CABundle, bundle().CACert) {
			return "caBundle differs from the Secret's CA"
		}
		return ""
	}
	eventually(t, 30*time.Second, caFollows)
	before := servedCert(t, g.Port)

	// Replace the Secret with a bundle whose serving certificate expired yesterday.
	old, err := certs.Generate(loopbackCert, time.Now().Add(-366*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s := certs.ToSecret("default", secret, old)
	if err := cp.Client.Update(ctx, s); err != nil {
		// ToSecret has no resourceVersion: fetch and overwrite the data.
		live := &corev1.Secret{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: "default", Name: secret}, live); err != nil {
			t.Fatal(err)
		}
		live.Data = s.Data
		if err := cp.Client.Update(ctx, live); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 60*time.Second, func() string {
		if got := servedCert(t, g.Port); got == before || got != serial(bundle()) {
			return "still serving " + got
		}
		return caFollows()
	})
	if err := g.WaitReady(time.Second); err != nil {
		t.Fatalf("not ready after rotation: %v", err)
	}
}

func serial(b *certs.Bundle) string {
	c, err := tls.X509KeyPair(b.Cert, b.Key)
	if err != nil || len(c.Certificate) == 0 {
		return "unparsable"
	}
	leaf, err := x509ParseCertificate(c.Certificate[0])
	if err != nil {
		return "unparsable"
	}
	return leaf.SerialNumber.String()
}

var loopbackCert = certs.Options{IPs: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}

// A serving certificate that expires while gitgate enforces (rotation off, the
// certificate mounted from a Secret that cert-manager renews) makes the API server's
// calls fail TLS: with failurePolicy Fail nothing is admitted, drift included. When
// the renewed files appear in --cert-dir, gitgate serves them without a restart and
// enforces with explanations again.
func TestExpiredCertificateFailsClosedAndRecovers(t *testing.T) {
	g := startGitgate(t, "expired", cp.Sync,
		"--repo="+repo.Dir, "--path=k8s", "--drift-interval=0")
	expired, err := certs.Generate(loopbackCert, time.Now().Add(-366*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	certDir := filepath.Join(g.Dir, "certs")
	if err := certs.WriteDir(certDir, expired); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() string {
		if got := servedCert(t, g.Port); got != serial(expired) {
			return "still serving " + got
		}
		return ""
	})
	registerWebhook(t, g, "gitgate-expired", func(w *admissionregistrationv1.ValidatingWebhook) {
		w.ClientConfig.CABundle = expired.CACert
	})
	eventually(t, 30*time.Second, func() string {
		out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=15")
		if ok {
			t.Fatalf("drift admitted through an expired certificate: %s", out)
		}
		if !strings.Contains(out, "failed calling webhook") || !strings.Contains(out, "expired") {
			return "not yet failing on the expired certificate: " + out
		}
		return ""
	})
	renewed, err := certs.Renew(expired, loopbackCert, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := certs.WriteDir(certDir, renewed); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, func() string {
		out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=15")
		if ok {
			t.Fatalf("drift admitted after renewal: %s", out)
		}
		if !strings.Contains(out, "spec.replicas: git has 3, request has 15") {
			return "no explained denial yet: " + out
		}
		return ""
	})
	out, ok := patchGreeting(t, "hello from git")
	if !ok {
		t.Fatalf("git's value refused after renewal: %s", out)
	}
}

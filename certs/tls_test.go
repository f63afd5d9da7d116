package certs

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// serveAndGet serves over TLS with b's certificate and GETs it, trusting
// only b's CA bundle.
func serveAndGet(t *testing.T, b *Bundle) error {
	t.Helper()
	pair, err := tls.X509KeyPair(b.Cert, b.Key)
	if err != nil {
		t.Fatalf("X509KeyPair: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b.CACert) {
		t.Fatal("no CA certificate in the bundle")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	defer tr.CloseIdleConnections()
	// srv.URL is https://127.0.0.1:port, so the IP SAN is what is verified.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func TestTLSHandshake(t *testing.T) {
	now := time.Now()
	b := mustGenerate(t, testOptions(), now)
	if err := serveAndGet(t, b); err != nil {
		t.Errorf("GET with the generated certificate: %v", err)
	}

	other := mustGenerate(t, testOptions(), now)
	if err := serveAndGet(t, &Bundle{CACert: other.CACert, Cert: b.Cert, Key: b.Key}); err == nil {
		t.Error("GET trusting another CA succeeded, want a verification error")
	}

	noIP := mustGenerate(t, Options{DNSNames: []string{"gitgate.gitgate-system.svc"}}, now)
	if err := serveAndGet(t, noIP); err == nil || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("GET 127.0.0.1 with a DNS-only certificate = %v, want an IP SAN error", err)
	}
}

// TestTLSHandshakeAcrossRollover checks that a CA bundle holding a new and
// an old CA verifies certificates signed by either.
func TestTLSHandshakeAcrossRollover(t *testing.T) {
	now := time.Now()
	opts := testOptions()
	opts.CAValidity, opts.Validity = 3*time.Hour, time.Hour
	old := mustGenerate(t, opts, now.Add(-2*time.Hour-time.Minute))
	rolled, reason, err := plan(old, opts, now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reason, "CA is due for rollover") {
		t.Fatalf("plan reason = %q, want a CA rollover", reason)
	}
	// The old serving cert (expired by now) is renewed by the new CA; build
	// one signed by the old CA too to check both are trusted.
	byOld, err := Renew(&Bundle{CACert: old.CACert, CAKey: old.CAKey}, opts, now)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]*Bundle{
		"signed by new CA": rolled,
		"signed by old CA": {CACert: rolled.CACert, Cert: byOld.Cert, Key: byOld.Key},
	} {
		if err := serveAndGet(t, b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

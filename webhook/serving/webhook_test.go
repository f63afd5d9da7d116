package serving

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"path/filepath"
	"testing"
)

// TestWebhookServes: the webhook is not ready before it serves; then it answers
// registered paths over TLS ≥ 1.2 and HTTP/1.1 only, and refuses TLS 1.1.
func TestWebhookServes(t *testing.T) {
	if _, err := NewWebhook(WebhookOptions(":0", "")); err == nil {
		t.Error("a webhook without a certificate folder was accepted")
	}
	dir, clientTLS := certDir(t)
	w, err := NewWebhook(WebhookOptions("127.0.0.1:0", dir))
	if err != nil {
		t.Fatal(err)
	}
	w.Register("/validate", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(rw, r.Proto)
	}))
	if err := w.StartedChecker()(nil); err == nil {
		t.Error("ready before it started")
	}
	addr := start(t, w.server)
	if err := w.StartedChecker()(nil); err != nil {
		t.Errorf("not ready after it started: %v", err)
	}
	h2 := clientTLS.Clone()
	h2.NextProtos = []string{"h2", "http/1.1"}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: h2, ForceAttemptHTTP2: true}}
	resp, err := client.Get("https://" + addr + "/validate")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "HTTP/1.1" || resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("served %s over TLS %x, want HTTP/1.1 over TLS ≥ 1.2", body, resp.TLS.Version)
	}
	old := clientTLS.Clone()
	old.MinVersion, old.MaxVersion = tls.VersionTLS11, tls.VersionTLS11
	if conn, err := tls.Dial("tcp", addr, old); err == nil {
		conn.Close()
		t.Error("TLS 1.1 accepted")
	}
}

// TestSelfSignedWithoutCertificate: a server that may self-sign serves HTTPS with
// a certificate of its own when its folder holds none; one that may not fails.
func TestSelfSignedWithoutCertificate(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	s, err := New(MetricsOptions("127.0.0.1:0", missing), http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	addr := start(t, s)
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // self-signed on purpose
	if err != nil {
		t.Fatalf("no TLS with a self-signed certificate: %v", err)
	}
	conn.Close()

	w, err := New(WebhookOptions("127.0.0.1:0", missing), http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // a Start that serves returns at once, without an error
	if err := w.Start(ctx); err == nil {
		t.Error("the webhook started without its certificate")
	}
}

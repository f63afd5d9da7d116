package serving

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/healthz"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
)

// Webhook is the admission webhook's HTTPS server: controller-runtime's
// webhook.Server (hooks registered by path, a readiness check, graceful drain when
// the manager stops) over a bounded Server, with the certificate in the options'
// CertDir reloaded when it changes.
type Webhook struct {
	mux    *http.ServeMux
	server *Server
}

var _ crwebhook.Server = (*Webhook)(nil)

// NewWebhook returns a Webhook with opts (see WebhookOptions); opts.CertDir is
// required.
func NewWebhook(opts Options) (*Webhook, error) {
	if opts.CertDir == "" {
		return nil, errors.New("webhook server: the certificate folder is empty")
	}
	mux := http.NewServeMux()
	s, err := New(opts, mux)
	if err != nil {
		return nil, err
	}
	return &Webhook{mux: mux, server: s}, nil
}

// Register serves hook at path; registering a path twice is a programming error
// (http.ServeMux panics, as controller-runtime's server does).
func (w *Webhook) Register(path string, hook http.Handler) { w.mux.Handle(path, hook) }

// WebhookMux returns the mux the hooks are registered on.
func (w *Webhook) WebhookMux() *http.ServeMux { return w.mux }

// NeedLeaderElection is false: every replica serves the webhook.
func (w *Webhook) NeedLeaderElection() bool { return false }

// Start serves until ctx ends, then drains (see Server.Start).
func (w *Webhook) Start(ctx context.Context) error { return w.server.Start(ctx) }

// Addr is the bound address, nil before the server listens.
func (w *Webhook) Addr() net.Addr { return w.server.Addr() }

// StartedChecker is healthy once the server serves and completes a TLS handshake,
// so the certificate loads.
func (w *Webhook) StartedChecker() healthz.Checker {
	return func(*http.Request) error {
		if !w.server.Started() {
			return errors.New("webhook server has not started yet")
		}
		d := &net.Dialer{Timeout: 10 * time.Second}
		// Only the handshake matters here, not who the certificate names.
		conn, err := tls.DialWithDialer(d, "tcp", w.server.Addr().String(), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec
		if err != nil {
			return fmt.Errorf("webhook server is not reachable: %w", err)
		}
		return conn.Close()
	}
}

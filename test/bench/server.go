package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"path/filepath"
	"sync/atomic"
	"time"

	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/certs"
	"github.com/gitgate-dev/gitgate/test/cluster"
)

// Paths of the two webhooks on the one server.
const (
	pathGitgate = "/validate"
	pathNoop    = "/noop"
)

// server is gitgate's webhook server stack in-process: controller-runtime's
// webhook server with the TLS options of `gitgate serve`, serving gitgate at
// /validate and the no-op baseline at /noop, counting the requests of each.
type server struct {
	port    int
	ca      []byte
	certDir string
	gitgate atomic.Int64
	noop    atomic.Int64
}

// startServer generates a serving certificate for 127.0.0.1 into dir, starts
// the server on a free port and waits until it accepts TLS connections.
func startServer(ctx context.Context, dir string, h admission.Handler) (*server, error) {
	b, err := certs.Generate(certs.Options{IPs: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}, time.Now())
	if err != nil {
		return nil, fmt.Errorf("generate serving certificate: %w", err)
	}
	s := &server{ca: b.CACert, certDir: filepath.Join(dir, "certs")}
	if err := certs.WriteDir(s.certDir, b); err != nil {
		return nil, err
	}
	if s.port, err = cluster.FreePort(); err != nil {
		return nil, err
	}
	srv := crwebhook.NewServer(crwebhook.Options{
		Host: "127.0.0.1", Port: s.port, CertDir: s.certDir,
		TLSOpts: []func(*tls.Config){func(c *tls.Config) {
			c.MinVersion = tls.VersionTLS12
			c.NextProtos = []string{"http/1.1"} // as gitgate serve: no HTTP/2
		}},
	})
	srv.Register(pathGitgate, &crwebhook.Admission{Handler: counted(&s.gitgate, h)})
	srv.Register(pathNoop, &crwebhook.Admission{Handler: counted(&s.noop, noop)})
	errc := make(chan error, 1)
	go func() { errc <- srv.Start(ctx) }()
	started := srv.StartedChecker()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-errc:
			return nil, fmt.Errorf("webhook server: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
		if started(nil) == nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("webhook server not serving on port %d after 15s", s.port)
}

// url returns the URL of a webhook path.
func (s *server) url(path string) string {
	return fmt.Sprintf("https://127.0.0.1:%d%s", s.port, path)
}

// served returns the requests served so far at path.
func (s *server) served(path string) int64 {
	if path == pathGitgate {
		return s.gitgate.Load()
	}
	return s.noop.Load()
}

func counted(n *atomic.Int64, h admission.Handler) admission.Handler {
	return admission.HandlerFunc(func(ctx context.Context, req admission.Request) admission.Response {
		n.Add(1)
		return h.Handle(ctx, req)
	})
}

package serving

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gitgate-dev/gitgate/certs"
)

// certDir writes a serving certificate for 127.0.0.1 and returns its folder and a
// client TLS configuration trusting it.
func certDir(t *testing.T) (string, *tls.Config) { return certDirB(t) }

func certDirB(t testing.TB) (string, *tls.Config) {
	t.Helper()
	b, err := certs.Generate(certs.Options{IPs: []net.IP{net.ParseIP("127.0.0.1")}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "certs")
	if err := certs.WriteDir(dir, b); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b.CACert)
	return dir, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func newMetrics(t *testing.T) *Metrics {
	t.Helper()
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func limited(m *Metrics, server, reason string) int {
	var out dto.Metric
	if err := m.limited.WithLabelValues(server, reason).Write(&out); err != nil {
		return -1
	}
	return int(out.GetCounter().GetValue())
}

// start serves s until the test ends and returns its address.
func start(t *testing.T, s *Server) string {
	t.Helper()
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	for !s.Started() {
		time.Sleep(5 * time.Millisecond)
	}
	return s.Addr().String()
}

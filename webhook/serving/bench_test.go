package serving

import (
	"context"
	"crypto/tls"
	"net"
	"strconv"
	"testing"
	"time"

	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
)

// BenchmarkSlowBodies runs the attack once per iteration (60 TLS clients
// each send 7 MB of a 7.3 MB AdmissionReview and stall for 15 s) against
// controller-runtime's webhook server, as gitgate served before, and against the
// bounded one with the shipped WebhookOptions. It reports the peak heap, the live
// heap once every client sent what it could, and the connections still open when
// the clients gave up. Run it alone: go test ./webhook/serving -run '^$'
// -bench SlowBodies -benchtime 1x.
func BenchmarkSlowBodies(b *testing.B) {
	for _, c := range []struct {
		name  string
		serve func(b *testing.B, dir string) string
	}{
		{"controller-runtime", serveControllerRuntime},
		{"bounded", serveBounded},
	} {
		b.Run(c.name, func(b *testing.B) {
			dir, clientTLS := certDirB(b)
			addr := c.serve(b, dir)
			attack := slowClients{clients: 60, declared: 7_300_000, sent: 7_000_000, tls: clientTLS, path: "/validate", header: "X-Bench: slow"}
			for b.Loop() {
				out := attack.run(addr, 15*time.Second)
				b.ReportMetric(out.peakMiB, "peak-MiB")
				b.ReportMetric(out.liveMiB, "live-MiB")
				b.ReportMetric(float64(out.open), "open-conns")
			}
		})
	}
}

func serveControllerRuntime(b *testing.B, dir string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := crwebhook.NewServer(crwebhook.Options{Host: "127.0.0.1", Port: port, CertDir: dir, TLSOpts: []func(*tls.Config){func(c *tls.Config) {
		c.MinVersion, c.NextProtos = tls.VersionTLS12, []string{"http/1.1"}
	}}})
	s.Register("/validate", allowAll())
	runB(b, s.Start)
	for s.StartedChecker()(nil) != nil {
		time.Sleep(10 * time.Millisecond)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

func serveBounded(b *testing.B, dir string) string {
	w, err := NewWebhook(WebhookOptions("127.0.0.1:0", dir))
	if err != nil {
		b.Fatal(err)
	}
	w.Register("/validate", allowAll())
	if err := w.server.Listen(); err != nil {
		b.Fatal(err)
	}
	runB(b, w.Start)
	for !w.server.Started() {
		time.Sleep(10 * time.Millisecond)
	}
	return w.Addr().String()
}

func runB(b *testing.B, start func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- start(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
}

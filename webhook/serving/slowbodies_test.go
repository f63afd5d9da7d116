package serving

import (
	"context"
	"net/http"
	"testing"
	"time"

	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// allowAll is an admission webhook that reads each review as gitgate's does
// (controller-runtime's decoder) and allows it.
func allowAll() http.Handler {
	return &crwebhook.Admission{Handler: admission.HandlerFunc(func(context.Context, admission.Request) admission.Response {
		return admission.Allowed("")
	})}
}

// TestSlowBodiesWebhook: 60 TLS clients each send 7 MB of a 7.3 MB
// AdmissionReview and stall. controller-runtime's server kept all of them open
// (and their bodies in memory); the bounded webhook refuses those over the body
// budget and cuts the rest at the read timeout.
func TestSlowBodiesWebhook(t *testing.T) {
	dir, clientTLS := certDir(t)
	m := newMetrics(t)
	opts := WebhookOptions("127.0.0.1:0", dir)
	opts.ReadTimeout, opts.BudgetWait, opts.Metrics = 2*time.Second, 500*time.Millisecond, m
	w, err := NewWebhook(opts)
	if err != nil {
		t.Fatal(err)
	}
	w.Register("/validate", allowAll())
	addr := start(t, w.server)
	attack := slowClients{clients: 60, declared: 7_300_000, sent: 7_000_000, tls: clientTLS, path: "/validate", header: "X-Test: slow"}
	base := liveHeapMiB()
	out := attack.run(addr, 20*time.Second)
	t.Logf("heap: %.0f MiB before, %.0f MiB peak, %.0f MiB live with every body sent, %.0f MiB after; slowest cut %s; refused for budget %d, cut at the read timeout %d",
		base, out.peakMiB, out.liveMiB, liveHeapMiB(), out.slowest.Round(time.Millisecond),
		limited(m, "webhook", ReasonBodyBudget), limited(m, "webhook", ReasonReadTimeout))
	if out.open > 0 {
		t.Errorf("%d of %d connections still open after 20s", out.open, attack.clients)
	}
	if bound := opts.ReadTimeout + opts.BudgetWait + 10*time.Second; out.slowest > bound { // slack for a loaded machine; unbounded is never
		t.Errorf("slowest connection cut after %s, want within %s", out.slowest, bound)
	}
	if limited(m, "webhook", ReasonBodyBudget) == 0 || limited(m, "webhook", ReasonReadTimeout) == 0 {
		t.Errorf("limits counted: budget %d, read timeout %d; want both", limited(m, "webhook", ReasonBodyBudget), limited(m, "webhook", ReasonReadTimeout))
	}
	waitFor(t, func() bool { return w.server.OpenConns() == 0 })
}

// TestSlowBodiesPush: 300 clients each send 900 KiB of a 1 MiB signed push
// notification and stall, from one address (refused over the per-address bound)
// and as if from many (bounded by the connection cap, the body budget and the
// read timeout).
func TestSlowBodiesPush(t *testing.T) {
	tests := []struct {
		name       string
		perIP      int
		wantReason string
	}{
		{name: "one source address", perIP: 8, wantReason: ReasonConnectionsPerIP},
		{name: "many source addresses", perIP: 0, wantReason: ReasonConnections},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMetrics(t)
			opts := PushOptions("127.0.0.1:0")
			opts.MaxConnsPerIP, opts.ReadTimeout, opts.Metrics = tt.perIP, time.Second, m
			pushOpts := source.DefaultPushOptions()
			pushOpts.ReadTimeout = opts.ReadTimeout
			push, err := source.NewPushHandler([]byte("secret"), func() { t.Error("triggered") }, pushOpts)
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(opts, push)
			if err != nil {
				t.Fatal(err)
			}
			addr := start(t, s)
			attack := slowClients{clients: 300, declared: 1 << 20, sent: 900 << 10, path: "/hooks/git", header: "X-Hub-Signature-256: sha256=00"}
			base := liveHeapMiB()
			out := attack.run(addr, 20*time.Second)
			t.Logf("heap: %.0f MiB before, %.0f MiB peak, %.0f MiB live with every body sent, %.0f MiB after; slowest cut %s; refused %d (%s), for budget %d, cut at the read timeout %d",
				base, out.peakMiB, out.liveMiB, liveHeapMiB(), out.slowest.Round(time.Millisecond), limited(m, "push", tt.wantReason), tt.wantReason,
				limited(m, "push", ReasonBodyBudget), limited(m, "push", ReasonReadTimeout))
			if out.open > 0 {
				t.Errorf("%d of %d connections still open after 20s", out.open, attack.clients)
			}
			if limited(m, "push", tt.wantReason) == 0 || limited(m, "push", ReasonReadTimeout) == 0 {
				t.Errorf("limits counted: %s %d, read timeout %d; want both", tt.wantReason, limited(m, "push", tt.wantReason), limited(m, "push", ReasonReadTimeout))
			}
			waitFor(t, func() bool { return s.OpenConns() == 0 })
		})
	}
}

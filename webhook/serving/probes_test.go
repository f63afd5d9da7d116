package serving

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
)

func TestProbes(t *testing.T) {
	p := NewProbes()
	p.AddLive("ping", healthz.Ping)
	p.AddReady("revision", func(*http.Request) error { return errors.New("no revision yet") })
	p.AddReady("webhook", healthz.Ping)
	h := p.Handler()
	got := map[string]int{}
	for _, path := range []string{"/healthz", "/readyz", "/readyz/webhook", "/readyz/revision", "/metrics"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		got[path] = rec.Code
	}
	want := map[string]int{"/healthz": 200, "/readyz": 500, "/readyz/webhook": 200, "/readyz/revision": 500, "/metrics": 404}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status by path (-want +got):\n%s", diff)
	}
}

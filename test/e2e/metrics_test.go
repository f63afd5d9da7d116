package e2e

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// gitgate's metrics need a bearer token that the API server authenticates
// (TokenReview) and authorizes to get /metrics (SubjectAccessReview): no token is
// 401, a forged one is refused (controller-runtime's filter answers the
// TokenReview's error for it with 500), a real ServiceAccount without the shipped
// gitgate-metrics-reader rules 403, one bound to them 200. Plain HTTP gets no
// metrics; the probes stay plain HTTP for the kubelet.
func TestMetricsRequireAToken(t *testing.T) {
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	nobody, err := cp.ServiceAccountToken(t.Context(), "metrics-nobody-"+suffix)
	if err != nil {
		t.Fatal(err)
	}
	role, err := cluster.ShippedClusterRole(cluster.MetricsReaderRole)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := cp.ServiceAccountToken(t.Context(), "metrics-reader-"+suffix, role)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, token string
		want        []int
	}{
		{"no token", "", []int{http.StatusUnauthorized}},
		{"forged token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", []int{http.StatusUnauthorized, http.StatusInternalServerError}},
		{"service account without the reader role", nobody, []int{http.StatusForbidden}},
		{"service account with the reader role", reader, []int{http.StatusOK}},
	} {
		code, body, err := gg.ScrapeMetrics(c.token)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Contains(c.want, code) {
			t.Errorf("%s: %d, want %v", c.name, code, c.want)
		}
		if leaked := strings.Contains(body, "gitgate_revision_info"); leaked != (code == http.StatusOK) {
			t.Errorf("%s: metrics in the answer: %v", c.name, leaked)
		}
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", gg.MetricsPort))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("metrics served over plain HTTP")
		}
	}
	resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", gg.ProbePort))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("plain readiness probe: %v %v", resp, err)
	}
	resp.Body.Close()
}

// The webhook answers an AdmissionReview declared over 7 MiB with 413 before
// reading any of it, closes the connection, and counts it.
func TestWebhookRefusesOversizedReviewUnread(t *testing.T) {
	before := limitedCount(t, "webhook", "body_size")
	conn, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", gg.Port), gg.TLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /validate HTTP/1.1\r\nHost: gitgate\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 8<<20)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer before the body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
		t.Errorf("status %d, close %v; want 413 and the connection closed", resp.StatusCode, resp.Close)
	}
	if after := limitedCount(t, "webhook", "body_size"); after != before+1 {
		t.Errorf("gitgate_http_limited_total{server=webhook,reason=body_size}: %d, then %d", before, after)
	}
}

// limitedCount reads gitgate_http_limited_total{server,reason} from gg.
func limitedCount(t *testing.T, server, reason string) int {
	t.Helper()
	m, err := gg.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("gitgate_http_limited_total{reason=%q,server=%q} ", reason, server)
	for _, line := range strings.Split(m, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

package serving

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestConnectionBounds: connections over the total or per-address bound are
// closed at once and counted; a closed connection frees its slot.
func TestConnectionBounds(t *testing.T) {
	tests := []struct {
		name             string
		maxConns, perIP  int
		dial             int
		wantOpen         int
		wantRefusedTotal int
		wantRefusedPerIP int
	}{
		{name: "total bound", maxConns: 3, dial: 5, wantOpen: 3, wantRefusedTotal: 2},
		{name: "per-address bound", maxConns: 10, perIP: 2, dial: 5, wantOpen: 2, wantRefusedPerIP: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMetrics(t)
			s, err := New(Options{Name: "probes", Addr: "127.0.0.1:0", MaxConns: tt.maxConns, MaxConnsPerIP: tt.perIP, Metrics: m},
				http.NotFoundHandler())
			if err != nil {
				t.Fatal(err)
			}
			addr := start(t, s)
			var conns []net.Conn
			for range tt.dial {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				conns = append(conns, c)
			}
			open := 0
			for _, c := range conns {
				_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
				if _, err := c.Read(make([]byte, 1)); err != nil && isTimeout(err) {
					open++ // held open by the server, waiting for a request
				}
			}
			got := []int{open, limited(m, "probes", ReasonConnections), limited(m, "probes", ReasonConnectionsPerIP)}
			if diff := cmp.Diff([]int{tt.wantOpen, tt.wantRefusedTotal, tt.wantRefusedPerIP}, got); diff != "" {
				t.Errorf("open, refused (total), refused (per address) (-want +got):\n%s", diff)
			}
			for _, c := range conns {
				c.Close()
			}
			waitFor(t, func() bool { return s.OpenConns() == 0 })
			resp, err := http.Get("http://" + addr + "/")
			if err != nil {
				t.Fatalf("after the connections closed: %v", err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

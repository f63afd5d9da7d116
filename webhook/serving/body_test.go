package serving

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// readAll answers 200 with the body's length, or 400 when it cannot be read.
var readAll = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprint(w, len(b))
})

// TestBodyBounds: a declared length over the bound is refused unread (413), an
// undeclared body is cut at it, and a large body waits for budget held by
// another large body while a small one does not.
func TestBodyBounds(t *testing.T) {
	tests := []struct {
		name     string
		length   int64 // declared; -1 for chunked
		size     int
		heldBody bool // another large body holds the whole budget
		want     int
		reason   string
	}{
		{name: "within bounds", length: 800, size: 800, want: http.StatusOK},
		{name: "declared over the bound", length: 1001, size: 1001, want: http.StatusRequestEntityTooLarge, reason: ReasonBodySize},
		{name: "chunked over the bound", length: -1, size: 1001, want: http.StatusBadRequest, reason: ReasonBodySize},
		{name: "large body without budget", length: 800, size: 800, heldBody: true, want: http.StatusServiceUnavailable, reason: ReasonBodyBudget},
		{name: "small body without budget", length: 100, size: 100, heldBody: true, want: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMetrics(t)
			o := Options{Name: "push", Addr: ":1", MaxBodyBytes: 1000, SmallBodyBytes: 100, BodyBudgetBytes: 1000,
				BudgetWait: 50 * time.Millisecond, Metrics: m}.withDefaults()
			h := newBodyLimits(o, readAll)
			if tt.heldBody {
				release := holdBudget(t, h, 1000)
				defer release()
			}
			req := httptest.NewRequest(http.MethodPost, "/", io.NopCloser(strings.NewReader(strings.Repeat("x", tt.size))))
			req.ContentLength = tt.length
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := []string{fmt.Sprint(rec.Code), ""}
			if tt.reason != "" {
				got[1] = fmt.Sprint(limited(m, "push", tt.reason))
			}
			want := []string{fmt.Sprint(tt.want), map[bool]string{true: "1"}[tt.reason != ""]}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("status, limits counted (-want +got):\n%s\n%s", diff, rec.Body)
			}
		})
	}
}

// holdBudget sends a request whose body blocks until release, holding n bytes
// of budget.
func holdBudget(t *testing.T, h *bodyLimits, n int64) (release func()) {
	t.Helper()
	pr, pw := io.Pipe()
	req := httptest.NewRequest(http.MethodPost, "/", pr)
	req.ContentLength = n
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.ServeHTTP(httptest.NewRecorder(), req)
	}()
	waitFor(t, func() bool { // the budget is all taken
		if h.budget.TryAcquire(1) {
			h.budget.Release(1)
			return false
		}
		return true
	})
	return func() {
		_, _ = pw.Write(make([]byte, n))
		pw.Close()
		wg.Wait()
	}
}

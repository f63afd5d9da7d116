package source

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func hubSignature(secret []byte, body string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// failingBody fails the test if the handler reads it.
type failingBody struct{ t *testing.T }

func (b failingBody) Read([]byte) (int, error) {
	b.t.Error("the body was read")
	return 0, io.EOF
}

// TestPushBoundsBeforeReading: requests that cannot be authenticated by their
// headers, or declare a body over the bound, are answered before one byte of the
// body is read.
func TestPushBoundsBeforeReading(t *testing.T) {
	secret := []byte("hook-secret")
	tests := []struct {
		name    string
		headers map[string]string
		length  int64
		want    int
	}{
		{name: "no authentication", length: 100, want: http.StatusUnauthorized},
		{name: "GitLab token is checked without the body", headers: map[string]string{"X-Gitlab-Token": "hook-secret"}, length: 100, want: http.StatusAccepted},
		{name: "wrong GitLab token", headers: map[string]string{"X-Gitlab-Token": "nope"}, length: 100, want: http.StatusUnauthorized},
		{name: "signed body declared over the bound", headers: map[string]string{"X-Hub-Signature-256": "sha256=00"}, length: 1<<20 + 1, want: http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewPushHandler(secret, func() {}, DefaultPushOptions())
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodPost, "/hooks/git", io.NopCloser(failingBody{t}))
			req.ContentLength = tt.length
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
}

// TestPushReplay: an authenticated delivery is accepted once; the same delivery
// id, or the same signature under a new id, is answered 409 and fetches nothing.
func TestPushReplay(t *testing.T) {
	secret := []byte("hook-secret")
	body := `{"ref":"refs/heads/main","after":"abc"}`
	type delivery struct {
		id, body, sig string
	}
	sig := hubSignature(secret, body)
	other := `{"ref":"refs/heads/main","after":"def"}`
	var triggered atomic.Int32
	h, err := NewPushHandler(secret, func() { triggered.Add(1) }, DefaultPushOptions())
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, d := range []delivery{
		{id: "1", body: body, sig: sig},
		{id: "1", body: body, sig: sig},                          // redelivered as is
		{id: "2", body: body, sig: sig},                          // replayed under a new id
		{id: "3", body: other, sig: hubSignature(secret, other)}, // the next push
		{id: "4", body: body, sig: hubSignature([]byte("x"), body)},
	} {
		req := httptest.NewRequest(http.MethodPost, "/hooks/git", strings.NewReader(d.body))
		req.Header.Set("X-GitHub-Delivery", d.id)
		req.Header.Set("X-Hub-Signature-256", d.sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got = append(got, rec.Code)
	}
	want := []int{http.StatusAccepted, http.StatusConflict, http.StatusConflict, http.StatusAccepted, http.StatusUnauthorized}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if n := triggered.Load(); n != 2 {
		t.Errorf("triggered %d fetches, want 2", n)
	}
}

// TestReplayCacheBound: keys are forgotten after the window, and the oldest first
// when the cache is full.
func TestReplayCacheBound(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name  string
		max   int
		calls []struct {
			key string
			at  time.Duration
		}
		want []bool
	}{
		{name: "within the window", max: 10, calls: []struct {
			key string
			at  time.Duration
		}{{"a", 0}, {"a", time.Minute}}, want: []bool{false, true}},
		{name: "after the window", max: 10, calls: []struct {
			key string
			at  time.Duration
		}{{"a", 0}, {"a", 10 * time.Minute}}, want: []bool{false, false}},
		{name: "oldest forgotten when full", max: 2, calls: []struct {
			key string
			at  time.Duration
		}{{"a", 0}, {"b", 1}, {"c", 2}, {"a", 3}, {"c", 4}}, want: []bool{false, false, false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newReplayCache(10*time.Minute, tt.max)
			var got []bool
			for _, call := range tt.calls {
				got = append(got, c.seen([]string{call.key}, t0.Add(call.at)))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("seen (-want +got):\n%s", diff)
			}
			if len(c.order) > tt.max || len(c.times) > tt.max {
				t.Errorf("cache holds %d/%d keys, bound %d", len(c.order), len(c.times), tt.max)
			}
		})
	}
}

// TestPushSlowBodyBound: a signed notification whose body stalls is answered 408
// and its connection closed at ReadTimeout, although the server itself sets no
// read timeout.
func TestPushSlowBodyBound(t *testing.T) {
	opts := DefaultPushOptions()
	opts.ReadTimeout = 300 * time.Millisecond
	h, err := NewPushHandler([]byte("s"), func() { t.Error("triggered") }, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST /hooks/git HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=00\r\nContent-Length: 1000\r\n\r\n%s", strings.Repeat("x", 900))
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !resp.Close {
		t.Errorf("status %d, close %v; want 408 and the connection closed", resp.StatusCode, resp.Close)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("answered after %s", d)
	}
}

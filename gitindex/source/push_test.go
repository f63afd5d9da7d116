package source

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestPushHandler(t *testing.T) {
	secret := []byte("hook-secret")
	body := `{"ref":"refs/heads/main"}`
	sign := func(key []byte, b string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(b))
		return hex.EncodeToString(m.Sum(nil))
	}
	tests := []struct {
		name    string
		method  string
		body    string
		headers map[string]string
		want    int
	}{
		{"GitHub signature", "POST", body, map[string]string{"X-Hub-Signature-256": "sha256=" + sign(secret, body)}, http.StatusAccepted},
		{"GitHub wrong secret", "POST", body, map[string]string{"X-Hub-Signature-256": "sha256=" + sign([]byte("other"), body)}, http.StatusUnauthorized},
		{"GitHub signature of another body", "POST", body + " ", map[string]string{"X-Hub-Signature-256": "sha256=" + sign(secret, body)}, http.StatusUnauthorized},
		{"GitHub signature without prefix", "POST", body, map[string]string{"X-Hub-Signature-256": sign(secret, body)}, http.StatusUnauthorized},
		{"GitHub signature not hex", "POST", body, map[string]string{"X-Hub-Signature-256": "sha256=zz"}, http.StatusUnauthorized},
		{"Gitea signature", "POST", body, map[string]string{"X-Gitea-Signature": sign(secret, body)}, http.StatusAccepted},
		{"GitLab token", "POST", body, map[string]string{"X-Gitlab-Token": "hook-secret"}, http.StatusAccepted},
		{"GitLab wrong token", "POST", body, map[string]string{"X-Gitlab-Token": "hook-secre"}, http.StatusUnauthorized},
		{"no authentication", "POST", body, nil, http.StatusUnauthorized},
		{"GET", "GET", "", map[string]string{"X-Gitlab-Token": "hook-secret"}, http.StatusMethodNotAllowed},
		{"signed body over 1 MiB", "POST", strings.Repeat("x", 1<<20+1), map[string]string{"X-Hub-Signature-256": "sha256=00"}, http.StatusRequestEntityTooLarge},
		{"GitLab token with a body over 1 MiB: the body is not read", "POST", strings.Repeat("x", 1<<20+1), map[string]string{"X-Gitlab-Token": "hook-secret"}, http.StatusAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var triggered atomic.Int32
			h, err := NewPushHandler(secret, func() { triggered.Add(1) }, DefaultPushOptions())
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(tt.method, "/hooks/push", strings.NewReader(tt.body))
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if want := int32(map[bool]int{true: 1}[tt.want == http.StatusAccepted]); triggered.Load() != want {
				t.Errorf("triggered %d times, want %d", triggered.Load(), want)
			}
		})
	}
	if _, err := NewPushHandler(nil, func() {}, DefaultPushOptions()); err == nil {
		t.Error("empty secret accepted")
	}
}

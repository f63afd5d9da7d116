package gitindex

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
)

// maxPushBody bounds the body of a push notification.
const maxPushBody = 1 << 20

// PushHandler turns authenticated push notifications of a git host into an
// immediate fetch (Poller.Trigger), so a merge is enforced in seconds instead of
// at the next poll. It accepts POSTs signed like GitHub (X-Hub-Signature-256:
// sha256=<HMAC-SHA256 of the body>), Gitea and Forgejo (X-Gitea-Signature: <hex
// HMAC-SHA256>), or carrying GitLab's X-Gitlab-Token. The payload is not
// interpreted: any authenticated notification triggers a fetch, which is cheap
// when nothing changed, and a forged payload could not name a commit anyway.
type PushHandler struct {
	secret  []byte
	trigger func()
}

var _ http.Handler = (*PushHandler)(nil)

// NewPushHandler returns a PushHandler that calls trigger (Poller.Trigger, which
// never blocks) for every notification authenticated with secret.
func NewPushHandler(secret []byte, trigger func()) (*PushHandler, error) {
	if len(secret) == 0 {
		return nil, errors.New("push handler: the webhook secret is empty")
	}
	if trigger == nil {
		return nil, errors.New("push handler: trigger is nil")
	}
	return &PushHandler{secret: append([]byte(nil), secret...), trigger: trigger}, nil
}

// ServeHTTP answers 202 after triggering, 401 for a missing or wrong signature or
// token, 405 for methods other than POST and 413 for bodies over 1 MiB.
func (h *PushHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "only POST is accepted", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPushBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "body larger than 1 MiB", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if !h.authentic(r.Header, body) {
		http.Error(w, "missing or wrong webhook signature or token", http.StatusUnauthorized)
		return
	}
	h.trigger()
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, "fetch triggered\n")
}

// authentic checks the first authentication header present, in constant time.
func (h *PushHandler) authentic(hdr http.Header, body []byte) bool {
	if sig := hdr.Get("X-Hub-Signature-256"); sig != "" {
		hexSig, ok := strings.CutPrefix(sig, "sha256=")
		return ok && h.validMAC(hexSig, body)
	}
	if sig := hdr.Get("X-Gitea-Signature"); sig != "" {
		return h.validMAC(sig, body)
	}
	if token := hdr.Get("X-Gitlab-Token"); token != "" {
		// Hashing first makes the comparison independent of the token's length.
		got, want := sha256.Sum256([]byte(token)), sha256.Sum256(h.secret)
		return subtle.ConstantTimeCompare(got[:], want[:]) == 1
	}
	return false
}

func (h *PushHandler) validMAC(hexSig string, body []byte) bool {
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, h.secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

package source

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// PushOptions bound what a push notification may cost before it is authenticated,
// and how long a delivery is remembered to refuse its replay.
type PushOptions struct {
	// MaxBody bounds the body (signed payloads are read whole to check the
	// signature): a larger declared length is answered 413 before any of it is
	// read. Default 1 MiB, well above a push of many commits.
	MaxBody int64
	// ReadTimeout bounds reading the body, from when the headers arrived.
	// Default 10s.
	ReadTimeout time.Duration
	// ReplayWindow: an authenticated delivery seen again within it (same delivery
	// id, or same signature) is answered 409 and triggers nothing. Default 10m.
	ReplayWindow time.Duration
	// ReplayEntries bounds the deliveries remembered, oldest forgotten first.
	// Default 4096.
	ReplayEntries int
}

// DefaultPushOptions returns the documented defaults.
func DefaultPushOptions() PushOptions {
	return PushOptions{MaxBody: 1 << 20, ReadTimeout: 10 * time.Second, ReplayWindow: 10 * time.Minute, ReplayEntries: 4096}
}

// Validate reports options that cannot work.
func (o PushOptions) Validate() error {
	if o.MaxBody <= 0 || o.ReadTimeout <= 0 || o.ReplayWindow <= 0 || o.ReplayEntries <= 0 {
		return fmt.Errorf("push options: every bound must be positive: %+v", o)
	}
	return nil
}

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
	opts    PushOptions
	replays *replayCache
}

var _ http.Handler = (*PushHandler)(nil)

// NewPushHandler returns a PushHandler that calls trigger (Poller.Trigger, which
// never blocks) for every notification authenticated with secret.
func NewPushHandler(secret []byte, trigger func(), opts PushOptions) (*PushHandler, error) {
	if len(secret) == 0 {
		return nil, errors.New("push handler: the webhook secret is empty")
	}
	if trigger == nil {
		return nil, errors.New("push handler: trigger is nil")
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &PushHandler{secret: append([]byte(nil), secret...), trigger: trigger, opts: opts,
		replays: newReplayCache(opts.ReplayWindow, opts.ReplayEntries)}, nil
}

// ServeHTTP answers 202 after triggering; 401 for a missing or wrong signature or
// token, 405 for methods other than POST, 408 for a body not read within
// ReadTimeout, 409 for a replayed delivery and 413 for a body over MaxBody. A
// GitLab token is checked without reading the body; a request without any
// authentication header is refused before its body is read.
func (h *PushHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "only POST is accepted", http.StatusMethodNotAllowed)
		return
	}
	sig, signed := signature(r.Header)
	token := r.Header.Get("X-Gitlab-Token")
	switch {
	case signed:
		body, code := h.readBody(w, r)
		if code != 0 {
			closeWith(w, code)
			return
		}
		if !h.validMAC(sig, body) {
			closeWith(w, http.StatusUnauthorized)
			return
		}
	case token != "":
		if !h.validToken(token) {
			closeWith(w, http.StatusUnauthorized)
			return
		}
	default:
		closeWith(w, http.StatusUnauthorized)
		return
	}
	h.accept(w, r.Header, sig)
}

// accept triggers a fetch unless the delivery is a replay.
func (h *PushHandler) accept(w http.ResponseWriter, hdr http.Header, sig string) {
	if h.replays.seen(deliveryKeys(hdr, sig), time.Now()) {
		http.Error(w, "delivery already received", http.StatusConflict)
		return
	}
	h.trigger()
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, "fetch triggered\n")
}

// readBody reads the body within MaxBody and ReadTimeout, or returns the status
// to answer.
func (h *PushHandler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int) {
	if r.ContentLength > h.opts.MaxBody {
		return nil, http.StatusRequestEntityTooLarge
	}
	// Not every ResponseWriter can (httptest's cannot); the server's own
	// ReadTimeout bounds the read then.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(h.opts.ReadTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBody))
	var tooLarge *http.MaxBytesError
	var netErr net.Error
	switch {
	case err == nil:
		return body, 0
	case errors.As(err, &tooLarge):
		return nil, http.StatusRequestEntityTooLarge
	case errors.As(err, &netErr) && netErr.Timeout():
		return nil, http.StatusRequestTimeout
	default:
		return nil, http.StatusBadRequest
	}
}

var pushErrors = map[int]string{
	http.StatusUnauthorized:          "missing or wrong webhook signature or token",
	http.StatusRequestEntityTooLarge: "body too large",
	http.StatusRequestTimeout:        "body not received in time",
	http.StatusBadRequest:            "cannot read body",
}

// closeWith answers an error and closes the connection, so that an unread or
// partly read body is not drained first.
func closeWith(w http.ResponseWriter, code int) {
	w.Header().Set("Connection", "close")
	http.Error(w, pushErrors[code], code)
}

// signature returns the HMAC signature header's hex value (GitHub's, else
// Gitea's), and whether one was sent; a GitHub header without its sha256= prefix
// is sent but never valid.
func signature(hdr http.Header) (string, bool) {
	if sig := hdr.Get("X-Hub-Signature-256"); sig != "" {
		hexSig, ok := strings.CutPrefix(sig, "sha256=")
		if !ok {
			return "", true
		}
		return hexSig, true
	}
	if sig := hdr.Get("X-Gitea-Signature"); sig != "" {
		return sig, true
	}
	return "", false
}

// validToken compares a GitLab token in constant time; hashing first makes it
// independent of the token's length.
func (h *PushHandler) validToken(token string) bool {
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256(h.secret)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func (h *PushHandler) validMAC(hexSig string, body []byte) bool {
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) == 0 {
		return false
	}
	mac := hmac.New(sha256.New, h.secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
)

// DigestKeySize is the size of a generated digest key.
const DigestKeySize = 32

// DigestKey is the per-install secret key of the digests of Secret values. Whoever
// holds it can test a guess against a recorded digest; nobody else can.
type DigestKey struct {
	// ID names the key in records (Record.DigestKey): the first 16 hex digits of
	// SHA-256 over a fixed label and the key. It reveals nothing about the key.
	ID  string
	key []byte
}

// NewDigestKey wraps key, which must hold at least 16 bytes.
func NewDigestKey(key []byte) (*DigestKey, error) {
	if len(key) < 16 {
		return nil, errors.New("audit digest key: want at least 16 bytes")
	}
	return &DigestKey{ID: DigestKeyID(key), key: append([]byte(nil), key...)}, nil
}

// DigestKeyID is the ID of key (see DigestKey.ID).
func DigestKeyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte("gitgate audit digest key\n"))
	h.Write(key)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Digest returns the keyed digest of v as written in records: "hmac-sha256:" and 32
// hex digits of HMAC-SHA256(key, JSON of v). An auditor holding the key can check
// whether a recorded Secret value equals a known one.
func (k *DigestKey) Digest(v any) string { return k.digest(v) }

func (k *DigestKey) digest(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "unencodable"
	}
	m := hmac.New(sha256.New, k.key)
	m.Write(b)
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))[:32]
}

// secretValue is a Secret's value on its way to the writer, which replaces it with
// its keyed digest. Encoded anywhere else it is "masked", never the value.
type secretValue struct{ v any }

// MarshalJSON hides the value.
func (secretValue) MarshalJSON() ([]byte, error) { return []byte(`"` + maskedValue + `"`), nil }

func seal(v any) any {
	if v == nil {
		return nil
	}
	return secretValue{v: v}
}

package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"unicode/utf8"
)

// Bounds of one record, so that no request can make a line (or the volume) grow
// with what it sends: a denied dry run with a 3 MiB annotation writes about 1 KB.
const (
	// MaxValueBytes is the largest JSON encoding of a drift value, or the longest
	// reason, written as is; larger ones are written as a [CappedValue].
	MaxValueBytes = 1 << 10
	// PrefixBytes is how much of a capped value's JSON is kept.
	PrefixBytes = 128
	// MaxItems is the most drift items, and the most reasons, one record holds; the
	// rest are counted in DriftOmitted and ReasonsOmitted.
	MaxItems = 20
	// maskedValue replaces a Secret value when no digest key is configured.
	maskedValue = "masked"
)

// CappedValue stands for a value too large to record: the SHA-256 of its JSON
// encoding (so equal values can be matched against git), the start of that JSON,
// and its size in bytes.
type CappedValue struct {
	Digest string `json:"digest"`
	Prefix string `json:"prefix"`
	Size   int    `json:"size"`
}

// bound limits r in place to MaxItems drift items and reasons, replaces sealed
// Secret values with keyed digests (or "masked" without a key) and caps large
// values and reasons. The caller's slices are not modified.
func bound(r *Record, key *DigestKey) {
	if n := len(r.Drift); n > MaxItems {
		r.Drift, r.DriftOmitted = r.Drift[:MaxItems:MaxItems], r.DriftOmitted+n-MaxItems
	}
	if n := len(r.Reasons); n > MaxItems {
		r.Reasons, r.ReasonsOmitted = r.Reasons[:MaxItems:MaxItems], r.ReasonsOmitted+n-MaxItems
	}
	drift := make([]DriftItem, len(r.Drift))
	for i, it := range r.Drift {
		it.Git = boundValue(it.Git, key, r)
		it.Old = boundValue(it.Old, key, r)
		it.New = boundValue(it.New, key, r)
		drift[i] = it
	}
	if r.Drift != nil {
		r.Drift = drift
	}
	reasons := make([]string, len(r.Reasons))
	for i, s := range r.Reasons {
		reasons[i] = capString(s)
	}
	if r.Reasons != nil {
		r.Reasons = reasons
	}
}

// boundValue returns what is written for v: its keyed digest if sealed, a
// CappedValue if its JSON is over MaxValueBytes, else v.
func boundValue(v any, key *DigestKey, r *Record) any {
	switch v := v.(type) {
	case nil:
		return nil
	case secretValue:
		if key == nil {
			return maskedValue
		}
		r.DigestKey = key.ID
		return key.digest(v.v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "unencodable"
	}
	if len(b) <= MaxValueBytes {
		return v
	}
	return capJSON(b)
}

func capJSON(b []byte) CappedValue {
	sum := sha256.Sum256(b)
	return CappedValue{Digest: "sha256:" + hex.EncodeToString(sum[:]), Prefix: prefix(string(b)), Size: len(b)}
}

// capString keeps a reason up to MaxValueBytes, else its prefix, size and digest.
func capString(s string) string {
	if len(s) <= MaxValueBytes {
		return s
	}
	c := capJSON([]byte(s))
	b, _ := json.Marshal(c)
	return c.Prefix + "… (capped: " + string(b) + ")"
}

// prefix returns the first PrefixBytes of s, cut at a rune boundary.
func prefix(s string) string {
	if len(s) <= PrefixBytes {
		return s
	}
	n := PrefixBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

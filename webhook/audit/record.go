package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Decisions a Record can carry. A plain allow is never audited.
const (
	DecisionDenied   = "denied"
	DecisionWarned   = "warned"
	DecisionAudited  = "audited"
	DecisionExcepted = "excepted"
)

// Modes a Record can carry: the enforcement mode that produced the decision.
const (
	ModeEnforce = "enforce"
	ModeWarn    = "warn"
	ModeAudit   = "audit"
)

// Record is one audit line. The JSON field names are the documented contract read by
// `gitgate audit verify` and by whoever ships the log; do not rename them.
//
// Seq, Prev and Hash are owned by the [Log]: whatever the caller sets is overwritten.
type Record struct {
	// Time is when the request was decided, written as RFC3339Nano in UTC; the zero
	// value is replaced by the time of [Log.Record].
	Time        time.Time `json:"time"`
	UID         string    `json:"uid"` // admission request uid
	User        User      `json:"user"`
	Operation   string    `json:"operation"`
	SubResource string    `json:"subResource,omitempty"`
	GVK         GVK       `json:"gvk"`
	Namespace   string    `json:"namespace,omitempty"`
	Name        string    `json:"name"`
	DryRun      bool      `json:"dryRun"`
	// Decision is one of the Decision constants, Mode one of the Mode constants.
	Decision string   `json:"decision"`
	Mode     string   `json:"mode"`
	Reasons  []string `json:"reasons,omitempty"`
	// Drift lists the fields that differ from git; pass Secret drift through
	// [MaskSecret] first.
	Drift      []DriftItem `json:"drift,omitempty"`
	Exceptions []string    `json:"exceptions,omitempty"`
	// BreakGlass is "<ticket>: <reason>" when a break-glass annotation was honoured.
	BreakGlass string `json:"breakGlass,omitempty"`
	Commit     string `json:"commit"`
	// Source is the git path:line declaring the object.
	Source string `json:"source,omitempty"`
	// Seq is the record's position in the chain, starting at 1.
	Seq uint64 `json:"seq"`
	// Prev is the previous record's Hash, or "genesis:<32 hex>" for the first record.
	Prev string `json:"prev"`
	// Hash chains this record to Prev; it must stay the last field (see the package doc).
	Hash string `json:"hash"`
}

// User is the requesting identity as the API server authenticated it.
type User struct {
	Username string              `json:"username"`
	UID      string              `json:"uid,omitempty"`
	Groups   []string            `json:"groups,omitempty"`
	Extra    map[string][]string `json:"extra,omitempty"`
}

// GVK is the kind of the object the request touched.
type GVK struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// DriftItem is one field that differs from git, as the webhook computed it.
// A nil Git, Old or New means the field is absent on that side.
type DriftItem struct {
	Path     string `json:"path"`
	Declared bool   `json:"declared"`
	Git      any    `json:"git,omitempty"`
	Old      any    `json:"old,omitempty"`
	New      any    `json:"new,omitempty"`
}

// maskUnencodable replaces a value that has no JSON encoding: it cannot be hashed the
// documented way, and the value itself must not leak.
const maskUnencodable = "sha256:unencodable"

// MaskSecret returns a copy of items whose Git, Old and New values are replaced by
// "sha256:" and the first 12 hex digits of the SHA-256 of the value's JSON encoding,
// so the log shows that a Secret value changed, and whether it now equals git, without
// holding the value. Absent (nil) values stay absent; items is not modified.
//
// The digest is unsalted: it hides high-entropy values (keys, tokens, passwords), not
// guessable ones such as "true" or a port number.
func MaskSecret(items []DriftItem) []DriftItem {
	if items == nil {
		return nil
	}
	out := make([]DriftItem, len(items))
	for i, it := range items {
		it.Git = maskValue(it.Git)
		it.Old = maskValue(it.Old)
		it.New = maskValue(it.New)
		out[i] = it
	}
	return out
}

func maskValue(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return maskUnencodable
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])[:12]
}

package audit

import (
	"time"

	"github.com/gitgate-dev/gitgate/policy/wire"
)

// Decisions a Record can carry. A plain allow is never audited.
const (
	DecisionDenied   = "denied"
	DecisionWarned   = "warned"
	DecisionAudited  = "audited"
	DecisionExcepted = "excepted"
	// What gitgate did on its own: a revision loaded or rejected, the applier's
	// reverts (self-heal), creates, prunes, failures and git changes applied, the
	// config guard's restores.
	DecisionLoaded   = "loaded"
	DecisionRejected = "rejected"
	DecisionReverted = "reverted"
	DecisionApplied  = "applied"
	DecisionCreated  = "created"
	DecisionPruned   = "pruned"
	DecisionFailed   = "failed"
	DecisionRestored = "restored"
)

// Operations of the records gitgate writes on its own (admission records carry the
// request's CREATE, UPDATE or DELETE).
const (
	OperationLoad       = "LOAD"
	OperationReject     = "REJECT"
	OperationApply      = "APPLY"
	OperationPrune      = "PRUNE"
	OperationRestore    = "RESTORE"
	OperationCheckpoint = "CHECKPOINT"
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
	// ReasonsOmitted counts the reasons beyond MaxItems that were not written.
	ReasonsOmitted int `json:"reasonsOmitted,omitempty"`
	// Drift lists the fields that differ from git; pass Secret drift through
	// [MaskSecret] first. Values whose JSON is over MaxValueBytes are written as a
	// [CappedValue].
	Drift []DriftItem `json:"drift,omitempty"`
	// DriftOmitted counts the drift items beyond MaxItems that were not written.
	DriftOmitted int `json:"driftOmitted,omitempty"`
	// DigestKey identifies the key of the keyed digests of Secret values in Drift
	// ([DigestKeyID]); empty when the record holds none.
	DigestKey  string   `json:"digestKey,omitempty"`
	Exceptions []string `json:"exceptions,omitempty"`
	// BreakGlass is "<ticket>: <reason>" when a break-glass annotation was honoured.
	BreakGlass string `json:"breakGlass,omitempty"`
	Commit     string `json:"commit"`
	// Source is the git path:line declaring the object.
	Source string `json:"source,omitempty"`
	// Signer is who signed Commit, for revision records (Operation LOAD or REJECT).
	Signer string `json:"signer,omitempty"`
	// Checkpoint is set on checkpoint lines (Operation CHECKPOINT), written by the
	// Log itself; see the package doc.
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	// Seq is the record's position in the chain, starting at 1.
	Seq uint64 `json:"seq"`
	// Prev is the previous record's Hash, or "genesis:<32 hex>" for the first record.
	Prev string `json:"prev"`
	// Hash chains this record to Prev; it must stay the last field (see the package doc).
	Hash string `json:"hash"`
}

// The shapes a Record shares with the policy input, defined in package wire.
type (
	// User is the requesting identity as the API server authenticated it.
	User = wire.User
	// GVK is the kind of the object the request touched.
	GVK = wire.GVK
	// DriftItem is one field that differs from git, as the webhook computed it.
	// A nil Git, Old or New means the field is absent on that side.
	DriftItem = wire.DriftItem
)

// MaskSecret returns a copy of items whose Git, Old and New values are sealed: the
// Log's writer replaces each with a keyed digest, "hmac-sha256:" and 32 hex digits of
// HMAC-SHA256(Options.DigestKey, JSON of the value), and sets the record's DigestKey.
// The log then shows that a Secret value changed, and whether it now equals git,
// without holding the value or letting anyone without the key test guesses against
// it. Without a DigestKey, and anywhere else a sealed value is encoded, it is written
// as "masked". Absent (nil) values stay absent; items is not modified.
func MaskSecret(items []DriftItem) []DriftItem {
	if items == nil {
		return nil
	}
	out := make([]DriftItem, len(items))
	for i, it := range items {
		it.Git = seal(it.Git)
		it.Old = seal(it.Old)
		it.New = seal(it.New)
		out[i] = it
	}
	return out
}

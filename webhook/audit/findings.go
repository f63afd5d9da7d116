package audit

import (
	"crypto/ed25519"
	"fmt"
)

// Kinds of Finding.
const (
	// FindingEdited: a line's content no longer matches the chain (its own hash, or
	// the next line's prev), or it cannot be read at all.
	FindingEdited = "edited"
	// FindingMissing: lines are absent from the middle of the chain.
	FindingMissing = "missing"
	// FindingCut: the newest lines are absent, and a signed checkpoint (written
	// after a restart, or held by the anchor) proves they were written.
	FindingCut = "cut"
	// FindingReordered: a line appears after lines that followed it.
	FindingReordered = "reordered"
	// FindingDuplicated: a line appears twice; FindingInserted: a line that does
	// not belong claims a seq already seen.
	FindingDuplicated = "duplicated"
	FindingInserted   = "inserted"
	// FindingRewritten: the hashes are consistent but differ from what a signed
	// checkpoint recorded: lines up to that checkpoint were rewritten.
	FindingRewritten = "rewritten"
	// FindingRestarted: a new chain (genesis) starts in the middle.
	FindingRestarted = "restarted"
	// FindingBadSignature: a checkpoint not signed by the given public key.
	FindingBadSignature = "bad-signature"
)

// Finding is one thing wrong with a log, for the lines with seq From..To.
type Finding struct {
	Kind     string
	From, To uint64
	// File and Line locate where it was found (the line after a gap).
	File   string
	Line   int
	Detail string
}

// String is "KIND seq N" or "KIND seq A..B", then where and why, e.g.
// "edited seq 17 (audit.log:17: hash mismatch)".
func (f Finding) String() string {
	seq := fmt.Sprintf("seq %d", f.From)
	if f.To != f.From {
		seq = fmt.Sprintf("seq %d..%d", f.From, f.To)
	}
	return fmt.Sprintf("%s %s (%s:%d: %s)", f.Kind, seq, f.File, f.Line, f.Detail)
}

// VerifyOptions are what [VerifyLog] checks a chain against.
type VerifyOptions struct {
	// PublicKey verifies checkpoint signatures; nil checks only the hash chain
	// (a rewrite with recomputed hashes then goes unnoticed).
	PublicKey ed25519.PublicKey
	// Anchor is the checkpoint the anchor holds for this log, if known: it proves
	// the lines up to it, so a cut tail is found even without a restart.
	Anchor *Checkpoint
}

// LogReport is what VerifyLog found in one log (the files of one pod).
type LogReport struct {
	// Log is the log id named by its checkpoints ("" if it has none).
	Log   string
	Files []string
	// Records is the number of lines read; First and Last the lowest and highest seq.
	Records     uint64
	First, Last uint64
	// Checkpoints is the number of checkpoint lines; Signed the highest seq a
	// verified signature covers (0 without PublicKey); Anchored the anchor's seq.
	Checkpoints      int
	Signed, Anchored uint64
	Findings         []Finding
}

// Intact reports whether nothing was found.
func (r *LogReport) Intact() bool { return len(r.Findings) == 0 }

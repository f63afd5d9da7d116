// Package audit writes gitgate's tamper-evident audit log and verifies it.
//
// Every denied, warned, audited or excepted admission request becomes one [Record],
// written as one JSON line. The webhook calls [Log.Record], which never blocks: records
// go into a bounded queue drained by one writer goroutine ([Log.Start], shaped as a
// controller-runtime Runnable). A full queue is counted
// (gitgate_audit_records_dropped_total, [Log.Dropped]) and logged at most once per
// second, never silently lost and never allowed to slow or fail the admission answer.
//
// # Chain
//
// Each line carries seq (its position in the chain, starting at 1), prev (the hash of
// the previous line) and hash:
//
//	hash = hex(sha256(prev + "\n" + JSON of the record with "hash":""))
//
// The JSON is encoding/json's encoding of [Record], whose field order is fixed and
// whose map keys are sorted, so it is deterministic. The written line is that same
// JSON with the hash filled in; [Verify] recomputes the hash from the line's own bytes
// (so values such as large integers need not survive a decode/encode round trip).
//
// A new chain starts with seq 1 and prev "genesis:" followed by 32 hex digits of
// randomness, so a chain restarted in the middle of a file is visible. When a file
// would grow beyond [Options.MaxSize] it is rotated (FILE → FILE.1 → FILE.2 ...) and
// the chain continues in a new FILE: seq keeps counting and prev links to the last
// line of FILE.1. After a restart [NewLog] reads the last line of FILE (or FILE.1 if
// FILE is missing or empty) and continues the chain from it.
//
// # Verification
//
// [Verify] reads files oldest first (FILE.3 FILE.2 FILE.1 FILE) and reports the first
// break as a [*ChainError] naming the file, line and cause: an edited line (hash
// mismatch), a deleted line (seq gap), reordered lines, an inserted or duplicated line
// (seq repeats), a truncated or corrupted line (invalid JSON, missing newline), or a
// restarted chain (a genesis prev after the first line).
//
// The first line given is the trust anchor. If it is a genesis line (seq 1), the whole
// chain since its creation is checked. If it is not (older rotated files were deleted,
// or only FILE is given), its prev is accepted as is and reported in
// [VerifyReport.Anchor] with [VerifyReport.First] > 1; compare it with the Last hash
// of an earlier verification to close the gap.
//
// The chain has no secret: whoever can rewrite the file can rewrite its tail and
// recompute every hash after the edit. It detects accidental and partial tampering,
// and full tampering once the last hash ([VerifyReport.LastHash]) is kept elsewhere
// (a log shipper, a ticket, the report of the previous verification).
package audit

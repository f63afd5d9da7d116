// Package audit writes gitgate's tamper-evident audit log and verifies it.
//
// Every denied, warned, audited or excepted admission request becomes one [Record],
// written as one JSON line, and so does what gitgate does on its own (revisions
// loaded or rejected, the applier's actions, config-guard restores). Callers use
// [Log.Record], which never blocks: records go into a bounded queue drained by one
// writer goroutine ([Log.Start], shaped as a controller-runtime Runnable). A full
// queue is counted (gitgate_audit_records_dropped_total, [Log.Dropped]) and logged at
// most once per second, never silently lost and never allowed to slow or fail the
// admission answer.
//
// # Bounds and Secret values
//
// The writer bounds each record before encoding it: a value whose JSON is over
// [MaxValueBytes] becomes a [CappedValue] (digest, prefix, size), a longer reason is
// cut likewise, and at most [MaxItems] drift items and reasons are kept, the rest
// counted. Secret values passed through [MaskSecret] are written as keyed digests
// (HMAC-SHA256 with Options.DigestKey, named by Record.DigestKey), never as an
// unkeyed hash that a dictionary could reverse.
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
// JSON with the hash filled in; verification recomputes the hash from the line's own
// bytes (so values such as large integers need not survive a decode/encode round
// trip).
//
// A new chain starts with seq 1 and prev "genesis:" followed by 32 hex digits of
// randomness. When a file would grow beyond [Options.MaxSize] it is rotated (FILE →
// FILE.1 → FILE.2 ...) and the chain continues in a new FILE. After a restart
// [NewLog] continues the chain from the last line of FILE (or FILE.1).
//
// # Checkpoints and anchors
//
// With Options.SigningKey the Log writes a [Checkpoint] line every CheckpointEvery
// records, every CheckpointInterval (when records were written) and at shutdown: log
// id, seq and hash of the line before, time, and an Ed25519 signature. Each
// checkpoint also goes to Options.Anchor, outside the pod, off the writer
// goroutine. At Start, before any record, the Log writes the checkpoint the anchor
// holds (marked restored); if the file lost lines while the process was down, the
// chain jumps to the anchored head, so the copied signature proves what was cut.
//
// # Verification
//
// [VerifyLog] reads one log's files oldest first and reports every [Finding], by
// seq range: edited, missing, reordered, duplicated or inserted lines, rewrites
// (recomputed hashes) caught by a signed checkpoint, and lines cut from the end
// that a restored or anchored checkpoint proves. [Verify] is the older first-break
// check of the hash chain alone. The chain alone has no secret: whoever can rewrite
// the file can recompute every hash after an edit; the signed checkpoints catch that,
// and the anchor catches a cut tail, except for lines written after the newest
// anchored checkpoint. Whoever holds the signing key can forge everything.
//
// # Shipping
//
// Options.Mirror copies every line (to standard output); Options.Ship sends them to
// an HTTP endpoint in batches, with retries and a bounded buffer (see [ShipOptions]).
package audit

package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Checkpoint is a signed statement that line Seq of log Log has hash Head. The Log
// writes one into the chain every CheckpointEvery records, every CheckpointInterval
// and at shutdown, and hands it to the Anchor, outside the pod.
type Checkpoint struct {
	Log  string    `json:"log"`
	Seq  uint64    `json:"seq"`
	Head string    `json:"head"`
	Time time.Time `json:"time"`
	// Sig is the base64 Ed25519 signature of the fields above (see signedBytes).
	Sig string `json:"sig"`
	// Restored marks a checkpoint copied from the Anchor when the Log started: the
	// lines up to Seq existed before the restart, whatever the file holds now.
	// It is not signed: the copy carries the original signature.
	Restored bool `json:"restored,omitempty"`
	// LineHash is the hash of the checkpoint's own line (seq Seq+1), set in the
	// anchor's copy only. It is not signed (the line holds the signature), but it
	// lets a restarted Log continue the chain after that line, and a verifier
	// report the line as cut when the file lost it.
	LineHash string `json:"lineHash,omitempty"`
}

// Anchor keeps each log's newest checkpoint outside the pod, so that cutting the
// tail of a file is provable. Implementations must be safe for use by one Log.
type Anchor interface {
	// Load returns the checkpoint last stored for logID, or nil if none.
	Load(ctx context.Context, logID string) (*Checkpoint, error)
	// Store replaces the checkpoint of c.Log.
	Store(ctx context.Context, c Checkpoint) error
}

var errBadSignature = errors.New("bad checkpoint signature")

// signedBytes is what the signature covers: a fixed label, log id, seq, head and
// time, one per line.
func (c Checkpoint) signedBytes() []byte {
	return []byte("gitgate audit checkpoint v1\n" + c.Log + "\n" + strconv.FormatUint(c.Seq, 10) + "\n" +
		c.Head + "\n" + c.Time.UTC().Format(time.RFC3339Nano) + "\n")
}

// sign sets c.Sig with key.
func (c *Checkpoint) sign(key ed25519.PrivateKey) {
	c.Time = c.Time.UTC()
	c.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.signedBytes()))
}

// Verify checks c's signature with pub.
func (c Checkpoint) Verify(pub ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(c.Sig)
	if err != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, c.signedBytes(), sig) {
		return fmt.Errorf("checkpoint %s seq %d: %w", c.Log, c.Seq, errBadSignature)
	}
	return nil
}

// checkpoint writes a signed checkpoint of the current head, if records were
// written since the last one, and offers it to the anchor.
func (l *Log) checkpoint(now time.Time) {
	if l.opts.SigningKey == nil || l.since == 0 {
		return
	}
	c := Checkpoint{Log: l.opts.LogID, Seq: l.sink.seq, Head: l.sink.prev, Time: now}
	c.sign(l.opts.SigningKey)
	if l.writeCheckpoint(c) {
		l.since = 0
		c.LineHash = l.sink.prev
		l.offer(c)
	}
}

func (l *Log) writeCheckpoint(c Checkpoint) bool {
	rec := Record{Time: c.Time, Operation: OperationCheckpoint, Decision: OperationCheckpoint, Name: c.Log, Checkpoint: &c}
	line, written, err := l.sink.write(rec)
	if err != nil {
		l.log.Error(err, "writing audit checkpoint failed", "seq", c.Seq)
	}
	if written {
		l.metrics.checkpoints.Inc()
		l.forward(line)
	}
	return written
}

// restore writes the checkpoint the anchor holds for this log, before any new
// record: if the file lost lines while the process was down (or the file itself),
// the chain jumps to the anchored head, and the copied signature proves what was
// cut. An anchor that cannot be read or carries a bad signature is logged and
// skipped: the log still starts.
func (l *Log) restore(ctx context.Context) {
	if l.opts.Anchor == nil || l.opts.SigningKey == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, l.opts.AnchorTimeout)
	defer cancel()
	c, err := l.opts.Anchor.Load(ctx, l.opts.LogID)
	if err != nil || c == nil {
		if err != nil {
			l.metrics.anchorErrors.Inc()
			l.log.Error(err, "reading the audit anchor failed; continuing without it", "log", l.opts.LogID)
		}
		return
	}
	pub := l.opts.SigningKey.Public().(ed25519.PublicKey)
	if err := c.Verify(pub); err != nil {
		l.log.Error(err, "anchored audit checkpoint not signed by this install's key; ignoring it", "log", l.opts.LogID)
		return
	}
	seq, prev := c.Seq, c.Head // the chain as the anchor knew it
	if c.LineHash != "" {
		seq, prev = c.Seq+1, c.LineHash
	}
	if seq > l.sink.seq {
		l.log.Error(errBehindAnchor, "audit log is behind its anchored checkpoint: lines were cut while gitgate was down",
			"log", l.opts.LogID, "fileSeq", l.sink.seq, "anchoredSeq", seq)
		l.sink.seq, l.sink.prev = seq, prev
	}
	c.Restored = true
	l.writeCheckpoint(*c)
}

// errBehindAnchor is logged when the log file ends before the anchored
// checkpoint: lines that existed were cut.
var errBehindAnchor = errors.New("audit log truncated below its anchored checkpoint")

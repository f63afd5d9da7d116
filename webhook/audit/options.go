package audit

import (
	"cmp"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults applied by [NewLog] to zero Options fields.
const (
	DefaultMaxSize    int64 = 100 << 20 // 100 MiB
	DefaultMaxBackups       = 5
	DefaultQueueSize        = 4096

	DefaultCheckpointEvery                  = 1000
	DefaultCheckpointInterval time.Duration = 10 * time.Second
	DefaultAnchorTimeout      time.Duration = 10 * time.Second
)

// PathStdout as Options.Path writes the log to standard output (no rotation, and a new
// chain on every start because standard output cannot be read back).
const PathStdout = "-"

// Options configures a [Log]. The zero value is a valid, disabled log.
type Options struct {
	// Path is where the log is written: PathStdout ("-") for standard output, "" to
	// disable auditing (Record accepts and discards), anything else a file, created
	// with mode 0600 together with its missing parent directories (0700).
	Path string
	// MaxSize rotates the file before a line would take it beyond this many bytes.
	// A single line larger than MaxSize is still written, alone in its file.
	// Default (0): DefaultMaxSize, 100 MiB.
	MaxSize int64
	// MaxBackups is how many rotated files are kept: FILE.1 (newest) ... FILE.N;
	// older ones are deleted. Default (0): DefaultMaxBackups, 5.
	MaxBackups int
	// QueueSize bounds the records waiting for the writer; beyond it Record drops
	// and counts. Default (0): DefaultQueueSize, 4096.
	QueueSize int
	// Registerer, if set, receives gitgate_audit_records_written_total,
	// gitgate_audit_records_dropped_total and gitgate_audit_write_errors_total.
	// Counters already registered there (a Log re-created in the same process) are
	// reused.
	Registerer prometheus.Registerer
	// DigestKey, if set, keys the digests of Secret values ([MaskSecret]). Without
	// it Secret values are written as "masked". Default: none.
	DigestKey *DigestKey
	// SigningKey, if set, signs a checkpoint every CheckpointEvery records, every
	// CheckpointInterval (when records were written) and at shutdown. LogID is
	// then required. Default: none (no checkpoints).
	SigningKey ed25519.PrivateKey
	// LogID names this chain in checkpoints and anchors: one per pod (the pod name).
	LogID string
	// CheckpointEvery defaults to DefaultCheckpointEvery (1000) records,
	// CheckpointInterval to DefaultCheckpointInterval (10s).
	CheckpointEvery    int
	CheckpointInterval time.Duration
	// Anchor, if set (with SigningKey), receives every checkpoint, off the writer
	// goroutine, and is read once at Start (see [Log.Start]). AnchorTimeout bounds
	// each call; default DefaultAnchorTimeout (10s).
	Anchor        Anchor
	AnchorTimeout time.Duration
	// Mirror, if set, receives a copy of every line written (os.Stdout, for a
	// cluster's log pipeline). A failed mirror write is logged, never retried.
	Mirror io.Writer
	// Ship, if set, sends every line to an HTTP endpoint in batches (see ShipOptions).
	Ship *ShipOptions
}

// Validate reports every invalid field at once.
func (o Options) Validate() error {
	var errs []error
	if o.MaxSize < 0 {
		errs = append(errs, fmt.Errorf("audit MaxSize %d: must not be negative", o.MaxSize))
	}
	if o.MaxBackups < 0 {
		errs = append(errs, fmt.Errorf("audit MaxBackups %d: must not be negative", o.MaxBackups))
	}
	if o.QueueSize < 0 {
		errs = append(errs, fmt.Errorf("audit QueueSize %d: must not be negative", o.QueueSize))
	}
	if o.CheckpointEvery < 0 || o.CheckpointInterval < 0 || o.AnchorTimeout < 0 {
		errs = append(errs, errors.New("audit CheckpointEvery, CheckpointInterval and AnchorTimeout must not be negative"))
	}
	if o.SigningKey != nil && len(o.SigningKey) != ed25519.PrivateKeySize {
		errs = append(errs, fmt.Errorf("audit SigningKey: %d bytes, want an Ed25519 private key", len(o.SigningKey)))
	}
	if o.SigningKey != nil && o.LogID == "" {
		errs = append(errs, errors.New("audit LogID is required with a SigningKey"))
	}
	if o.Ship != nil {
		errs = append(errs, o.Ship.Validate())
	}
	return errors.Join(errs...)
}

// withDefaults returns o with zero fields set to their defaults.
func (o Options) withDefaults() Options {
	o.MaxSize = cmp.Or(o.MaxSize, DefaultMaxSize)
	o.MaxBackups = cmp.Or(o.MaxBackups, DefaultMaxBackups)
	o.QueueSize = cmp.Or(o.QueueSize, DefaultQueueSize)
	o.CheckpointEvery = cmp.Or(o.CheckpointEvery, DefaultCheckpointEvery)
	o.CheckpointInterval = cmp.Or(o.CheckpointInterval, DefaultCheckpointInterval)
	o.AnchorTimeout = cmp.Or(o.AnchorTimeout, DefaultAnchorTimeout)
	if o.Ship != nil {
		ship := o.Ship.withDefaults()
		o.Ship = &ship
	}
	return o
}

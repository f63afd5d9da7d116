package audit

import (
	"errors"
	"fmt"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults applied by [NewLog] to zero Options fields.
const (
	DefaultMaxSize    int64 = 100 << 20 // 100 MiB
	DefaultMaxBackups       = 5
	DefaultQueueSize        = 4096
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
	// Logger reports drops (at most once per second) and write errors. Default: a
	// logger that discards.
	Logger logr.Logger
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
	return errors.Join(errs...)
}

// withDefaults returns o with zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.MaxSize == 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.MaxBackups == 0 {
		o.MaxBackups = DefaultMaxBackups
	}
	if o.QueueSize == 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Logger.GetSink() == nil {
		o.Logger = logr.Discard()
	}
	return o
}

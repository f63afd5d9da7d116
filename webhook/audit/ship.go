package audit

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Overflow policies of the shipper's buffer.
const (
	// DropNewest refuses lines that arrive while the buffer is full.
	DropNewest = "drop-newest"
	// DropOldest discards the oldest buffered line to make room.
	DropOldest = "drop-oldest"
)

// Defaults of ShipOptions, after the Kubernetes API server's audit webhook backend.
const (
	DefaultShipBatchSize      = 400
	DefaultShipMaxWait        = 5 * time.Second
	DefaultShipBufferSize     = 10000
	DefaultShipInitialBackoff = 500 * time.Millisecond
	DefaultShipMaxBackoff     = 30 * time.Second
	DefaultShipFlushTimeout   = 10 * time.Second
)

// ShipOptions configures delivery of audit lines to an HTTP endpoint, modelled on the
// API server's audit webhook backend: lines are buffered, sent in batches of up to
// BatchSize (or whatever MaxWait collected) as one POST of JSON lines
// (application/x-ndjson), and a failed batch is retried with exponential back-off
// until it is accepted (any 2xx) or gitgate stops. The buffer is bounded: when it
// is full, Overflow decides which line is lost, and every loss is counted
// (gitgate_audit_ship_dropped_total). The file stays the record of truth: shipping
// never slows or stops writing it.
type ShipOptions struct {
	// URL receives the POSTs. Required.
	URL string
	// Client sends them. Default: a client with a 10 s timeout.
	Client *http.Client
	// BatchSize is the most lines per POST. Default: DefaultShipBatchSize (400).
	BatchSize int
	// MaxWait is how long a partial batch waits for more lines. Default:
	// DefaultShipMaxWait (5s).
	MaxWait time.Duration
	// BufferSize bounds the lines waiting to be sent. Default:
	// DefaultShipBufferSize (10,000).
	BufferSize int
	// Overflow is DropNewest (default) or DropOldest.
	Overflow string
	// InitialBackoff and MaxBackoff bound the wait between retries of a failed
	// batch. Defaults: 500ms and 30s.
	InitialBackoff, MaxBackoff time.Duration
	// FlushTimeout bounds sending what is buffered at shutdown; what is left then
	// is counted as dropped. Default: DefaultShipFlushTimeout (10s).
	FlushTimeout time.Duration
}

// Validate reports every invalid field at once.
func (o ShipOptions) Validate() error {
	var errs []error
	if u, err := url.Parse(o.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("audit Ship.URL %q: want an http:// or https:// URL", o.URL))
	}
	if o.BatchSize < 0 || o.BufferSize < 0 || o.MaxWait < 0 || o.InitialBackoff < 0 || o.MaxBackoff < 0 || o.FlushTimeout < 0 {
		errs = append(errs, errors.New("audit Ship sizes and durations must not be negative"))
	}
	if o.Overflow != "" && o.Overflow != DropNewest && o.Overflow != DropOldest {
		errs = append(errs, fmt.Errorf("audit Ship.Overflow %q: want %s or %s", o.Overflow, DropNewest, DropOldest))
	}
	return errors.Join(errs...)
}

func (o ShipOptions) withDefaults() ShipOptions {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	o.BatchSize = cmp.Or(o.BatchSize, DefaultShipBatchSize)
	o.MaxWait = cmp.Or(o.MaxWait, DefaultShipMaxWait)
	o.BufferSize = cmp.Or(o.BufferSize, DefaultShipBufferSize)
	o.Overflow = cmp.Or(o.Overflow, DropNewest)
	o.InitialBackoff = cmp.Or(o.InitialBackoff, DefaultShipInitialBackoff)
	o.MaxBackoff = cmp.Or(o.MaxBackoff, DefaultShipMaxBackoff)
	o.FlushTimeout = cmp.Or(o.FlushTimeout, DefaultShipFlushTimeout)
	return o
}

package serving

import (
	"errors"
	"fmt"
	"time"
)

// Options configure one Server. Zero fields take the defaults documented on each;
// the presets (WebhookOptions, PushOptions, MetricsOptions, ProbeOptions) set
// them for each of gitgate's listeners.
type Options struct {
	// Name names the server in gitgate_http_limited_total. Required.
	Name string
	// Addr is the host:port to listen on. Required.
	Addr string
	// CertDir, when set, serves HTTPS with tls.crt and tls.key from this folder,
	// reloaded when they change: TLS 1.2 at least (1.3 negotiated), HTTP/1.1 only.
	// Empty serves plain HTTP.
	CertDir string
	// SelfSigned serves a self-signed certificate, made at start, when CertDir
	// holds no certificate (metrics of a process without a webhook certificate).
	SelfSigned bool
	// ReadHeaderTimeout bounds the TLS handshake and the request headers.
	// Default 5s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading one whole request, body included. Default 10s.
	ReadTimeout time.Duration
	// WriteTimeout bounds one request from its headers to the end of the answer.
	// Default 30s.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection idle this long. Default 90s, the
	// idle timeout of Go's (and so the API server's) HTTP clients.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request headers. Default 64 KiB.
	MaxHeaderBytes int
	// MaxConns bounds open connections; a connection over it is closed as soon as
	// it is accepted. Default 128.
	MaxConns int
	// MaxConnsPerIP bounds open connections from one source address. Default 0:
	// no bound (the webhook's clients are a few API servers).
	MaxConnsPerIP int
	// MaxBodyBytes bounds one request body: a larger declared length is answered
	// 413 before any of it is read, a longer body is cut there. Default 1 MiB.
	MaxBodyBytes int64
	// SmallBodyBytes: bodies that declare at most this many bytes are read without
	// reserving budget (together at most MaxConns × SmallBodyBytes), so small
	// requests never wait behind large ones. Default 64 KiB.
	SmallBodyBytes int64
	// BodyBudgetBytes bounds the bytes of larger bodies being read at once: each
	// reserves its declared length (MaxBodyBytes when undeclared) until its
	// request ends. Default 8 × MaxBodyBytes.
	BodyBudgetBytes int64
	// BudgetWait is how long a request waits for budget before it is answered
	// 503. Default 1s.
	BudgetWait time.Duration
	// ShutdownTimeout bounds the graceful drain of in-flight requests on stop.
	// Default 1m.
	ShutdownTimeout time.Duration
	// Metrics counts the limits hit; nil counts nothing.
	Metrics *Metrics
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.ReadHeaderTimeout, 5*time.Second)
	def(&o.ReadTimeout, 10*time.Second)
	def(&o.WriteTimeout, 30*time.Second)
	def(&o.IdleTimeout, 90*time.Second)
	def(&o.BudgetWait, time.Second)
	def(&o.ShutdownTimeout, time.Minute)
	if o.MaxHeaderBytes == 0 {
		o.MaxHeaderBytes = 64 << 10
	}
	if o.MaxConns == 0 {
		o.MaxConns = 128
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.SmallBodyBytes == 0 {
		o.SmallBodyBytes = min(64<<10, o.MaxBodyBytes)
	}
	if o.BodyBudgetBytes == 0 {
		o.BodyBudgetBytes = 8 * o.MaxBodyBytes
	}
	return o
}

// Validate reports options that cannot work (after defaults).
func (o Options) Validate() error {
	o = o.withDefaults()
	var errs []error
	if o.Name == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	if o.Addr == "" {
		errs = append(errs, errors.New("address is empty"))
	}
	for name, d := range map[string]time.Duration{"read header timeout": o.ReadHeaderTimeout, "read timeout": o.ReadTimeout,
		"write timeout": o.WriteTimeout, "idle timeout": o.IdleTimeout, "budget wait": o.BudgetWait, "shutdown timeout": o.ShutdownTimeout} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s is negative", name))
		}
	}
	if o.MaxConns < 0 || o.MaxConnsPerIP < 0 || o.MaxHeaderBytes < 0 {
		errs = append(errs, errors.New("connection and header bounds must not be negative"))
	}
	if o.MaxBodyBytes < 0 || o.SmallBodyBytes < 0 || o.SmallBodyBytes > o.MaxBodyBytes {
		errs = append(errs, errors.New("body bounds must satisfy 0 <= small body <= max body"))
	}
	if o.BodyBudgetBytes < o.MaxBodyBytes {
		errs = append(errs, fmt.Errorf("body budget %d is below the max body %d: a largest body could never be read", o.BodyBudgetBytes, o.MaxBodyBytes))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("server %q: %w", o.Name, err)
	}
	return nil
}

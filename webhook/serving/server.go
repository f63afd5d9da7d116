package serving

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/go-logr/logr"
)

// Server is one bounded HTTP(S) listener, a manager.Runnable.
type Server struct {
	opts    Options
	handler http.Handler

	mu      sync.Mutex
	ln      *limitListener
	started bool
}

// New returns a Server for handler; it listens when Listen or Start is called.
func New(opts Options, handler http.Handler) (*Server, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if handler == nil {
		return nil, fmt.Errorf("server %q: handler is nil", opts.Name)
	}
	return &Server{opts: opts.withDefaults(), handler: handler}, nil
}

// Listen binds the address now, so that Addr is known before Start; Start binds
// it otherwise.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return nil
	}
	l, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("listen %s on %s: %w", s.opts.Name, s.opts.Addr, err)
	}
	s.ln = newLimitListener(l, s.opts.MaxConns, s.opts.MaxConnsPerIP, func(reason string) {
		s.opts.Metrics.limit(s.opts.Name, reason)
	})
	return nil
}

// Addr is the bound address, nil before Listen.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Started reports whether Start serves.
func (s *Server) Started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

// OpenConns is the number of connections the server holds.
func (s *Server) OpenConns() int {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		return 0
	}
	return ln.open()
}

// NeedLeaderElection is false: every replica serves.
func (s *Server) NeedLeaderElection() bool { return false }

// Start serves until ctx ends, then stops accepting and finishes in-flight
// requests within ShutdownTimeout.
func (s *Server) Start(ctx context.Context) error {
	log := logr.FromContextOrDiscard(ctx).WithValues("server", s.opts.Name)
	if err := s.Listen(); err != nil {
		return err
	}
	ln, err := s.serveListener(ctx)
	if err != nil {
		_ = s.ln.Close()
		return err
	}
	srv := s.httpServer(ctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
	log.Info("serving", "address", ln.Addr().String(), "tls", s.opts.CertDir != "" || s.opts.SelfSigned)
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", s.opts.Name, err)
	case <-ctx.Done():
	}
	return s.shutdown(log, srv, errc)
}

func (s *Server) serveListener(ctx context.Context) (net.Listener, error) {
	if s.opts.CertDir == "" && !s.opts.SelfSigned {
		return s.ln, nil
	}
	cfg, err := tlsConfig(ctx, s.opts)
	if err != nil {
		return nil, fmt.Errorf("server %s: %w", s.opts.Name, err)
	}
	return tls.NewListener(s.ln, cfg), nil
}

func (s *Server) httpServer(ctx context.Context) *http.Server {
	base := context.WithoutCancel(ctx) // in-flight requests outlive the stop signal
	return &http.Server{
		Handler:           newBodyLimits(s.opts, s.handler),
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    s.opts.MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
}

func (s *Server) shutdown(log logr.Logger, srv *http.Server, errc <-chan error) error {
	log.Info("stopping: finishing in-flight requests", "timeout", s.opts.ShutdownTimeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("stop %s: %w", s.opts.Name, err), srv.Close())
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

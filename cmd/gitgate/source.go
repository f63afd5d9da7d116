package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// newSource builds the git source from the serve flags (credentials are read from
// files, as a mounted Secret provides them).
func newSource(f *serveFlags) (*gitindex.Source, error) {
	opts := f.git
	opts.URL, opts.Ref = f.repo, f.ref
	for _, path := range f.verifyKeyFiles {
		key, err := gitindex.ReadSecretFile(path)
		if err != nil {
			return nil, fmt.Errorf("--verify-key: %w", err)
		}
		opts.VerifyKeys = append(opts.VerifyKeys, string(key))
	}
	return gitindex.NewSource(opts)
}

// pushServer serves POST /hooks/git: an authenticated push notification triggers an
// immediate fetch, so a merge is enforced within a second rather than a poll period.
func pushServer(f *serveFlags, p *gitindex.Poller) (manager.Runnable, error) {
	secret, err := gitindex.ReadSecretFile(f.pushSecretFile)
	if err != nil {
		return nil, fmt.Errorf("--push-secret-file: %w", err)
	}
	h, err := gitindex.NewPushHandler(secret, p.Trigger, gitindex.DefaultPushOptions())
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/hooks/git", h)
	srv := &http.Server{Addr: f.pushAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return manager.RunnableFunc(func(ctx context.Context) error {
		go func() {
			<-ctx.Done()
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shutdown)
		}()
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("push endpoint: %w", err)
		}
		return nil
	}), nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-logr/logr"

	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// logStart logs the start-up settings, the repository URL without credentials.
func logStart(log logr.Logger, f *serveFlags) {
	log.Info("starting gitgate", "version", version, "repo", gitindex.Redact(f.repo), "ref", f.ref, "syncUsers", f.syncUsers)
}

// pushServer serves POST /hooks/git: an authenticated push notification triggers an
// immediate fetch, so a merge is enforced within a second rather than a poll period.
func pushServer(f *serveFlags, p *gitindex.Poller) (manager.Runnable, error) {
	secret, err := gitindex.ReadSecretFile(f.pushSecretFile)
	if err != nil {
		return nil, fmt.Errorf("--push-secret-file: %w", err)
	}
	h, err := gitindex.NewPushHandler(secret, p.Trigger)
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

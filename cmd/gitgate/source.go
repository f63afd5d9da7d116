package main

import (
	"fmt"
	"net/http"

	"github.com/go-logr/logr"

	"sigs.k8s.io/controller-runtime/pkg/manager"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/source"
	"github.com/gitgate-dev/gitgate/webhook/serving"
)

// logStart logs the start-up settings, the repository URL without credentials.
func logStart(log logr.Logger, f *serveFlags) {
	log.Info("starting gitgate", "version", version, "repo", source.Redact(f.repo), "ref", f.ref, "syncUsers", f.syncUsers)
}

// pushServer serves POST /hooks/git: an authenticated push notification triggers an
// immediate fetch, so a merge is enforced within a second rather than a poll period.
// The server is bounded like the others (serving.PushOptions).
func pushServer(f *serveFlags, p *gitindex.Poller) (manager.Runnable, error) {
	secret, err := source.ReadSecretFile(f.pushSecretFile)
	if err != nil {
		return nil, fmt.Errorf("--push-secret-file: %w", err)
	}
	h, err := source.NewPushHandler(secret, p.Trigger, f.listen.pushHandlerOptions())
	if err != nil {
		return nil, err
	}
	m, err := serving.NewMetrics(crmetrics.Registry)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/hooks/git", h)
	opts := serving.PushOptions(f.pushAddr)
	opts.Metrics = m
	return serving.New(opts, mux)
}

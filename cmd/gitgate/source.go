package main

import (
	"fmt"
	"net/http"

	"sigs.k8s.io/controller-runtime/pkg/manager"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/serving"
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
// The server is bounded like the others (serving.PushOptions).
func pushServer(f *serveFlags, p *gitindex.Poller) (manager.Runnable, error) {
	secret, err := gitindex.ReadSecretFile(f.pushSecretFile)
	if err != nil {
		return nil, fmt.Errorf("--push-secret-file: %w", err)
	}
	h, err := gitindex.NewPushHandler(secret, p.Trigger, f.listen.pushHandlerOptions())
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

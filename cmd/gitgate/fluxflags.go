package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/gitgate-dev/gitgate/webhook/fluxskew"
	"github.com/gitgate-dev/gitgate/webhook/revision"
)

// fluxFlags name the Flux Kustomizations that apply the repository gitgate
// enforces, to export the skew between their applied commit and gitgate's.
type fluxFlags struct {
	kustomizations []string
	skewInterval   time.Duration
}

func (f *fluxFlags) bind(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.kustomizations, "flux-kustomization", nil, "namespace/name of a Flux Kustomization that applies this repository: export how far its status.lastAppliedRevision lags behind the commit gitgate enforces (gitgate_flux_revision_skew, gitgate_flux_skew_seconds; repeatable)")
	fs.DurationVar(&f.skewInterval, "flux-skew-interval", 10*time.Second, "how often to read the --flux-kustomization objects")
}

// skewLoop returns the Flux skew loop, or nil without --flux-kustomization.
func (f *fluxFlags) skewLoop(c client.Reader, revs *revision.Store) (manager.Runnable, error) {
	if len(f.kustomizations) == 0 {
		return nil, nil
	}
	opts := fluxskew.Options{Interval: f.skewInterval}
	for _, k := range f.kustomizations {
		ns, name, ok := strings.Cut(k, "/")
		if !ok {
			return nil, fmt.Errorf("--flux-kustomization must be namespace/name, not %q", k)
		}
		opts.Kustomizations = append(opts.Kustomizations, types.NamespacedName{Namespace: ns, Name: name})
	}
	opts.Default()
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("--flux-kustomization: %w", err)
	}
	m, err := fluxskew.NewMetrics(crmetrics.Registry)
	if err != nil {
		return nil, err
	}
	commit := func() string {
		if rev := revs.Current(); rev != nil && rev.Snapshot != nil {
			return rev.Snapshot.Commit
		}
		return ""
	}
	return &fluxskew.Loop{Options: opts, Reader: c, Commit: commit, Metrics: m, Log: ctrl.Log.WithName("flux")}, nil
}

// fluxLoops are the Flux skew loop, when --flux-kustomization names one.
func (s *server) fluxLoops() ([]manager.Runnable, error) {
	loop, err := s.f.flux.skewLoop(s.clients.client, s.store)
	if err != nil || loop == nil {
		return nil, err
	}
	return []manager.Runnable{loop}, nil
}

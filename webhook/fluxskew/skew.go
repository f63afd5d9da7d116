package fluxskew

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gitgate-dev/gitgate/gitindex/flux"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// KustomizationKind is the Flux Kustomization the loop reads.
var KustomizationKind = schema.GroupVersionKind{Group: flux.Group, Version: "v1", Kind: "Kustomization"}

// Options configure the loop.
type Options struct {
	// Kustomizations are the Flux Kustomizations that apply the repository gitgate
	// enforces. Required: at least one.
	Kustomizations []types.NamespacedName
	// Interval between two reads of them. Default 10s.
	Interval time.Duration
}

// Default fills in the defaults.
func (o *Options) Default() {
	if o.Interval <= 0 {
		o.Interval = 10 * time.Second
	}
}

// Validate rejects an empty list and names without a namespace.
func (o Options) Validate() error {
	if len(o.Kustomizations) == 0 {
		return fmt.Errorf("no Flux Kustomization to compare with")
	}
	for _, k := range o.Kustomizations {
		if k.Namespace == "" || k.Name == "" {
			return fmt.Errorf("flux kustomization %q: want namespace/name", k.String())
		}
	}
	return nil
}

// Loop reads the Kustomizations every Interval and updates Metrics. It runs in
// every replica (each exports what it enforces).
type Loop struct {
	Options
	Reader client.Reader
	// Commit returns the commit gitgate enforces ("" before the first).
	Commit  func() string
	Metrics *Metrics
	Log     logr.Logger

	since map[types.NamespacedName]time.Time // when each skew began
}

// NeedLeaderElection is false: every replica reports its own revision.
func (l *Loop) NeedLeaderElection() bool { return false }

// Start runs until ctx ends.
func (l *Loop) Start(ctx context.Context) error {
	l.Default()
	if err := l.Validate(); err != nil {
		return fmt.Errorf("flux skew: %w", err)
	}
	tick := time.NewTicker(l.Interval)
	defer tick.Stop()
	for {
		l.Once(ctx, time.Now())
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Once compares each Kustomization with the commit gitgate enforces now.
func (l *Loop) Once(ctx context.Context, now time.Time) {
	commit := l.Commit()
	if commit == "" {
		return
	}
	if l.since == nil {
		l.since = map[types.NamespacedName]time.Time{}
	}
	for _, key := range l.Kustomizations {
		applied, err := l.lastApplied(ctx, key)
		switch {
		case apierrors.IsNotFound(err):
			// Counted as skew; not an error until Flux has created it.
			l.Log.V(1).Info("flux kustomization not found", "kustomization", key.String())
		case err != nil:
			l.Log.Error(err, "read flux kustomization", "kustomization", key.String())
		}
		l.Metrics.set(key.String(), AppliedCommit(applied), commit, l.skewFor(key, AppliedCommit(applied) == commit, now))
	}
}

// skewFor returns how long key has been out of step (0 when in step).
func (l *Loop) skewFor(key types.NamespacedName, inStep bool, now time.Time) time.Duration {
	if inStep {
		delete(l.since, key)
		return 0
	}
	start, ok := l.since[key]
	if !ok {
		start, l.since[key] = now, now
	}
	return now.Sub(start)
}

func (l *Loop) lastApplied(ctx context.Context, key types.NamespacedName) (string, error) {
	ks := &unstructured.Unstructured{}
	ks.SetGroupVersionKind(KustomizationKind)
	if err := l.Reader.Get(ctx, key, ks); err != nil {
		return "", err
	}
	rev, _, err := unstructured.NestedString(ks.Object, "status", "lastAppliedRevision")
	return rev, err
}

// AppliedCommit returns the git commit of a Flux revision: "main@sha1:<commit>",
// "sha1:<commit>" or the older "main/<commit>"; "" if it names none.
func AppliedCommit(revision string) string {
	if i := strings.LastIndex(revision, "sha1:"); i >= 0 {
		return revision[i+len("sha1:"):]
	}
	if i := strings.LastIndex(revision, "/"); i >= 0 && len(revision)-i-1 == 40 {
		return revision[i+1:]
	}
	return ""
}

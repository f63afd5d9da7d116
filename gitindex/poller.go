package gitindex

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
)

// LoadFunc takes a freshly built snapshot live (compile its policies, swap the
// revision). An error rejects the commit; the previous revision keeps serving.
type LoadFunc func(ctx context.Context, s *Snapshot) error

// Status is what the Poller last did, for readiness, /statusz and metrics.
type Status struct {
	// Commit is the commit being served ("" before the first good one).
	Commit string
	// LastFetch is the time of the last successful fetch.
	LastFetch time.Time
	// Err is the last error (fetch, build or load), "" after a success.
	Err string
	// RejectedCommit is the last commit that failed to build or load.
	RejectedCommit string
}

// Poller fetches the source every Interval (or when triggered), builds a snapshot
// of each new commit and hands it to Load. It is the sole user of its Source.
type Poller struct {
	Source   *Source
	Build    BuildOptions
	Interval time.Duration
	Load     LoadFunc
	// OnStatus, if set, is called after every sync (metrics).
	OnStatus func(Status)
	// Log is used when the context carries no logger.
	Log logr.Logger

	trigger chan struct{}
	status  atomic.Pointer[Status]
	last    *Snapshot // the last snapshot built, whose unchanged files the next build reuses
}

// NewPoller returns a Poller; Start runs it.
func NewPoller(src *Source, build BuildOptions, interval time.Duration, load LoadFunc) *Poller {
	build.Default()
	p := &Poller{Source: src, Build: build, Interval: interval, Load: load, trigger: make(chan struct{}, 1)}
	p.status.Store(&Status{})
	return p
}

// Status returns the latest status.
func (p *Poller) Status() Status { return *p.status.Load() }

// Trigger asks for an immediate fetch (a push notification); it never blocks.
func (p *Poller) Trigger() {
	select {
	case p.trigger <- struct{}{}:
	default:
	}
}

// NeedLeaderElection is false: every replica serves the webhook and needs the index.
func (p *Poller) NeedLeaderElection() bool { return false }

// Start syncs immediately and then on every interval or trigger until ctx ends.
func (p *Poller) Start(ctx context.Context) error {
	log, err := logr.FromContext(ctx)
	if err != nil {
		log = p.Log
	}
	ctx = logr.NewContext(ctx, log)
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		_ = p.Sync(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-p.trigger:
		}
	}
}

// Sync fetches once and loads the commit if it is new. Errors are logged, kept in
// Status and returned; the served revision is never dropped.
func (p *Poller) Sync(ctx context.Context) error {
	log := logr.FromContextOrDiscard(ctx)
	st := p.Status()
	fetchCtx, cancel := context.WithTimeout(ctx, max(p.Interval, 30*time.Second))
	commit, err := p.Source.Fetch(fetchCtx)
	cancel()
	if untrusted := (*UntrustedCommitError)(nil); errors.As(err, &untrusted) {
		return p.fail(log, st, untrusted.Commit, err)
	}
	if err != nil {
		return p.fail(log, st, "", fmt.Errorf("fetch: %w", err))
	}
	st.LastFetch = time.Now()
	if commit == st.Commit || commit == st.RejectedCommit {
		st.Err = ""
		if commit == st.RejectedCommit {
			st.Err = p.Status().Err
		}
		p.setStatus(st)
		return nil
	}
	if err := p.loadCommit(ctx, commit); err != nil {
		return p.fail(log, st, commit, err)
	}
	log.Info("serving new commit", "commit", commit, "previous", st.Commit)
	st.Commit, st.Err, st.RejectedCommit = commit, "", ""
	p.setStatus(st)
	return nil
}

func (p *Poller) loadCommit(ctx context.Context, commit string) error {
	files, err := p.Source.files(commit, append(append([]string(nil), p.Build.Paths...), p.Build.PolicyPath), true)
	if err != nil {
		return err
	}
	build := p.Build
	build.Repo, build.Previous = p.Source.URL(), p.last
	snap, err := Build(commit, files, build)
	if err != nil {
		return err
	}
	p.last = snap
	return p.Load(ctx, snap)
}

func (p *Poller) fail(log logr.Logger, st Status, commit string, err error) error {
	err = redactError(err)
	log.Error(err, "keeping the last good revision", "serving", st.Commit, "rejected", commit)
	st.Err = err.Error()
	if commit != "" {
		st.RejectedCommit = commit
	}
	p.setStatus(st)
	return err
}

func (p *Poller) setStatus(st Status) {
	p.status.Store(&st)
	if p.OnStatus != nil {
		p.OnStatus(st)
	}
}

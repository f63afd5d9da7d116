package gitindex

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"

	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// DefaultBuildTimeout bounds one commit's build when Poller.BuildTimeout is zero.
const DefaultBuildTimeout = time.Minute

// LoadFunc takes a freshly built snapshot live (serve builds its revision and
// publishes it). An error rejects the commit; the previous revision keeps serving.
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
	// RejectedLimit is the bound RejectedCommit exceeded (LimitObjects,
	// LimitManifestBytes, LimitIndexMemory, LimitBuildTime), if that is why.
	RejectedLimit string
}

// Poller fetches the source every Interval (or when triggered), builds a snapshot
// of each new commit and hands it to Load. It is the sole user of its Source.
// A build runs beside the polling loop, bounded by BuildTimeout: a new HEAD
// arriving meanwhile abandons it, so one commit never holds up the next.
type Poller struct {
	Source   *source.Source
	Build    BuildOptions
	Interval time.Duration
	// BuildTimeout bounds one commit's build; a commit whose build takes longer
	// is rejected (Status.RejectedLimit LimitBuildTime). Default DefaultBuildTimeout.
	BuildTimeout time.Duration
	Load         LoadFunc
	// OnStatus, if set, is called after every sync (metrics).
	OnStatus func(Status)
	// Log is used when the context carries no logger.
	Log logr.Logger

	trigger chan struct{}
	status  atomic.Pointer[Status]
	last    *Snapshot // the last snapshot built, whose unchanged files the next build reuses
	results chan buildResult
	running *runningBuild // the build in progress, if any; the polling goroutine's own
}

// runningBuild is a build in progress.
type runningBuild struct {
	commit string
	cancel context.CancelFunc
}

// buildResult is what a build goroutine hands back to the polling loop.
type buildResult struct {
	commit string
	snap   *Snapshot
	err    error
}

// NewPoller returns a Poller; Start runs it.
func NewPoller(src *source.Source, build BuildOptions, interval time.Duration, load LoadFunc) *Poller {
	build.Default()
	p := &Poller{Source: src, Build: build, Interval: interval, Load: load, trigger: make(chan struct{}, 1), results: make(chan buildResult)}
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

// Start fetches immediately and then on every interval or trigger until ctx
// ends, building each new commit in the background and loading it when done.
func (p *Poller) Start(ctx context.Context) error {
	log, err := logr.FromContext(ctx)
	if err != nil {
		log = p.Log
	}
	ctx = logr.NewContext(ctx, log)
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	defer p.abandon(ctx)
	for poll := true; ; {
		if poll {
			_ = p.poll(ctx)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			poll = true
		case <-p.trigger:
			poll = true
		case r := <-p.results:
			_ = p.finish(ctx, r)
			poll = false
		}
	}
}

// Sync fetches once and, if the commit is new, builds and loads it before
// returning. Errors are logged, kept in Status and returned; the served
// revision is never dropped.
func (p *Poller) Sync(ctx context.Context) error {
	if err := p.poll(ctx); err != nil || p.running == nil {
		return err
	}
	select {
	case r := <-p.results:
		return p.finish(ctx, r)
	case <-ctx.Done():
		p.abandon(ctx)
		return ctx.Err()
	}
}

// poll fetches and starts building the commit if it is new, abandoning a build
// of another commit still in progress.
func (p *Poller) poll(ctx context.Context) error {
	log := logr.FromContextOrDiscard(ctx)
	st := p.Status()
	fetchCtx, cancel := context.WithTimeout(ctx, max(p.Interval, 30*time.Second))
	commit, err := p.Source.Fetch(fetchCtx)
	cancel()
	if untrusted := (*source.UntrustedCommitError)(nil); errors.As(err, &untrusted) {
		return p.fail(log, st, untrusted.Commit, err)
	}
	if err != nil {
		return p.fail(log, st, "", fmt.Errorf("fetch: %w", err))
	}
	st.LastFetch = time.Now()
	if p.running != nil && p.running.commit == commit {
		p.setStatus(st)
		return nil // still building it
	}
	p.abandon(ctx)
	if commit == st.Commit || commit == st.RejectedCommit {
		st.Err = ""
		if commit == st.RejectedCommit {
			st.Err = p.Status().Err
		}
		p.setStatus(st)
		return nil
	}
	p.setStatus(st)
	return p.start(ctx, commit)
}

// start lists the commit's files (on this goroutine: the Source is not shared)
// and builds them on another.
func (p *Poller) start(ctx context.Context, commit string) error {
	files, err := p.Source.LazyFiles(commit, append(append([]string(nil), p.Build.Paths...), p.Build.PolicyPath)...)
	if err != nil {
		return p.fail(logr.FromContextOrDiscard(ctx), p.Status(), commit, err)
	}
	build := p.Build
	build.Repo, build.Previous = p.Source.URL(), p.last
	buildCtx, cancel := context.WithCancel(ctx)
	p.running = &runningBuild{commit: commit, cancel: cancel}
	timeout := p.BuildTimeout
	if timeout <= 0 {
		timeout = DefaultBuildTimeout
	}
	go func() {
		snap, err := buildWithin(buildCtx, timeout, commit, files, build)
		select {
		case p.results <- buildResult{commit: commit, snap: snap, err: err}:
		case <-buildCtx.Done(): // abandoned: nobody waits for it
		}
	}()
	return nil
}

// abandon cancels the build in progress, if any; its result is dropped.
func (p *Poller) abandon(ctx context.Context) {
	if p.running == nil {
		return
	}
	logr.FromContextOrDiscard(ctx).Info("abandoning the build of a commit that is no longer HEAD", "commit", p.running.commit)
	p.running.cancel()
	p.running = nil
}

// finish loads a built snapshot, or records why its commit was rejected.
func (p *Poller) finish(ctx context.Context, r buildResult) error {
	if p.running == nil || p.running.commit != r.commit {
		return nil // a build abandoned just as it ended
	}
	p.running.cancel()
	p.running = nil
	log := logr.FromContextOrDiscard(ctx)
	st := p.Status()
	if r.err != nil {
		return p.fail(log, st, r.commit, r.err)
	}
	p.last = r.snap
	if err := p.Load(ctx, r.snap); err != nil {
		return p.fail(log, st, r.commit, err)
	}
	log.Info("serving new commit", "commit", r.commit, "previous", st.Commit)
	st.Commit, st.Err, st.RejectedCommit, st.RejectedLimit = r.commit, "", "", ""
	p.setStatus(st)
	return nil
}

func (p *Poller) fail(log logr.Logger, st Status, commit string, err error) error {
	err = source.RedactError(err)
	log.Error(err, "keeping the last good revision", "serving", st.Commit, "rejected", commit)
	st.Err = err.Error()
	if commit != "" {
		st.RejectedCommit, st.RejectedLimit = commit, ""
		if limit := (*LimitError)(nil); errors.As(err, &limit) {
			st.RejectedLimit = limit.Limit
		}
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

package gitindex

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// buildWithin builds on another goroutine and returns when it is done, when
// timeout passes (the commit is then rejected with a LimitBuildTime
// *LimitError) or when ctx ends, whichever comes first. A build past its
// deadline stops at its next check (between documents and units, and at
// kustomize's next file access); until then it only burns CPU, and nobody
// waits for it.
func buildWithin(ctx context.Context, timeout time.Duration, commit string, files []File, opts BuildOptions) (*Snapshot, error) {
	deadline, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan buildResult, 1)
	go func() {
		snap, err := BuildContext(deadline, commit, files, opts)
		done <- buildResult{commit: commit, snap: snap, err: err}
	}()
	var r buildResult
	select {
	case r = <-done:
	case <-deadline.Done():
		r.err = deadline.Err()
	}
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("build %s: %w", source.ShortHash(commit), ctx.Err())
	case errors.Is(r.err, context.DeadlineExceeded):
		limit := &LimitError{Limit: LimitBuildTime, Max: int64(timeout)}
		return nil, &BuildError{Commit: commit, Problems: []string{limit.Error()}, Limit: limit}
	}
	return r.snap, r.err
}

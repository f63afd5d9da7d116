package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/source"
	"github.com/gitgate-dev/gitgate/policy"
	"github.com/gitgate-dev/gitgate/webhook/revision"
)

// checkCommit answers "would gitgate accept this commit?": what the poller
// does before it publishes a revision (build, then revision.New), plus the
// repository's Rego tests.
func checkCommit(ctx context.Context, out io.Writer, f *checkFlags) error {
	commit, files, err := f.commit(ctx)
	var untrusted *source.UntrustedCommitError
	switch {
	case errors.As(err, &untrusted):
		fmt.Fprintf(out, "%s: %s\n", f.ref, untrusted.Error())
		return denied("commit %.7s rejected: not signed by a --verify-key", untrusted.Commit)
	case err != nil:
		return &exitError{code: 2, err: fmt.Errorf("read git: %w", err)}
	}
	opts, err := f.buildOptions()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	snap, err := gitindex.Build(commit, files, opts)
	var rejected *gitindex.BuildError
	switch {
	case errors.As(err, &rejected):
		for _, p := range rejected.Problems {
			fmt.Fprintln(out, p)
		}
		return denied("commit %.7s rejected: %d problem(s)", commit, len(rejected.Problems))
	case err != nil:
		return &exitError{code: 2, err: fmt.Errorf("build %.7s: %w", commit, err)}
	}
	for _, w := range snap.Warnings {
		fmt.Fprintln(out, "warning:", w)
	}
	if _, err := revision.New(ctx, snap, revision.Options{}); err != nil { // as the poller would load it
		fmt.Fprintln(out, err)
		return denied("commit %.7s rejected: its policy does not compile", commit)
	}
	failed, passed, err := runRegoTests(ctx, out, snap.Policies)
	if err != nil {
		fmt.Fprintln(out, err)
		return denied("commit %.7s rejected: its Rego tests do not compile", commit)
	}
	if failed > 0 {
		return denied("%d Rego test(s) failed", failed)
	}
	_, err = fmt.Fprintf(out, "%s: accepted: %d objects, %d policy files, %d Rego tests passed\n",
		snap.ShortCommit(), snap.Len(), len(snap.Policies), passed)
	return err
}

// runRegoTests runs the *_test.rego tests, printing the failures.
func runRegoTests(ctx context.Context, out io.Writer, modules map[string]string) (failed, passed int, err error) {
	results, err := policy.RunTests(ctx, modules)
	if err != nil {
		return 0, 0, fmt.Errorf("rego tests: %w", err)
	}
	for _, r := range results {
		if r.Pass {
			passed++
			continue
		}
		failed++
		msg := "failed"
		if r.Err != "" {
			msg = r.Err
		}
		fmt.Fprintf(out, "%s: Rego test %s.%s %s\n", r.Location, r.Package, r.Name, msg)
	}
	return failed, passed, nil
}

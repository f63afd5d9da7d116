package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/policy"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

func newApplyCommand() *cobra.Command {
	f := &driftFlags{}
	var once, dryRun bool
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Apply git's HEAD to the cluster once with server-side apply (as the current identity)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !once {
				return fmt.Errorf("use --once (the continuous applier is `gitgate serve --apply`)")
			}
			return runApply(cmd.Context(), cmd.OutOrStdout(), f, dryRun)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&once, "once", false, "apply once and exit")
	fs.BoolVar(&dryRun, "dry-run", false, "show what would change (a diff per object) without applying")
	f.repoFlags.bind(fs, "", "main")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file")
	return cmd
}

func runApply(ctx context.Context, out io.Writer, f *driftFlags, dryRun bool) error {
	snap, c, err := f.snapshotAndClient(ctx)
	if err != nil {
		return err
	}
	opts := apply.DefaultOptions()
	opts.DryRun = dryRun
	if opts.Comparer, err = cliComparer(f.kubeconfig, snap); err != nil {
		return err
	}
	eng, err := policy.Compile(ctx, snap.Policies, policy.DefaultOptions())
	if err != nil {
		return fmt.Errorf("compile policy at %s: %w", snap.ShortCommit(), err)
	}
	opts.BreakGlassWindow = func(*gitindex.Snapshot) time.Duration { return eng.BreakGlassWindow() }
	a, err := apply.New(c, opts)
	if err != nil {
		return err
	}
	res, applyErr := a.Apply(ctx, snap)
	if res != nil {
		for _, o := range res.Objects {
			fmt.Fprintf(out, "%s %s %s\n", o.Key, o.Action, o.Status)
			for _, d := range o.Diff {
				sub, git, live := drift.FirstDifference(d.Git, d.New) // where a list compared whole differs
				fmt.Fprintf(out, "    %s%s: live %s, git %s\n", d.Path, sub, short(live), short(git))
			}
		}
		fmt.Fprintf(out, "%.7s: %s\n", snap.Commit, res.Summary())
	}
	return applyErr
}

func short(v any) string {
	s := fmt.Sprint(v)
	if v == nil {
		return "(absent)"
	}
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/webhook/drift"
	"github.com/gitgate-dev/gitgate/webhook/revision"
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
	rev, c, err := f.revisionAndClient(ctx)
	if err != nil {
		return err
	}
	opts := apply.DefaultOptions()
	opts.DryRun = dryRun
	res, applyErr := applyRevision(ctx, c, opts, rev)
	if res != nil {
		for _, o := range res.Objects {
			fmt.Fprintf(out, "%s %s %s\n", o.Key, o.Action, o.Status)
			for _, d := range o.Diff {
				sub, git, live := drift.FirstDifference(d.Git, d.New) // where a list compared whole differs
				fmt.Fprintf(out, "    %s%s: live %s, git %s\n", d.Path, sub, short(live), short(git))
			}
		}
		fmt.Fprintf(out, "%.7s: %s\n", rev.Snapshot.Commit, res.Summary())
	}
	return applyErr
}

// applyRevision applies rev once with opts, judging what already matches git with
// the revision's comparison and honouring its policy's break-glass window: what
// `gitgate apply --once` and each pass of serve's applier do.
func applyRevision(ctx context.Context, c client.Client, opts apply.Options, rev *revision.Revision) (*apply.Result, error) {
	window := rev.Policy.BreakGlassWindow()
	opts.Comparer = rev.Comparer
	opts.BreakGlassWindow = func(*gitindex.Snapshot) time.Duration { return window }
	a, err := apply.New(c, opts)
	if err != nil {
		return nil, err
	}
	return a.Apply(ctx, rev.Snapshot)
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

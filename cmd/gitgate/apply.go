package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gitgate-dev/gitgate/gitindex/apply"
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
	fs.StringVar(&f.repo, "repo", "", "git repository (as for serve)")
	fs.StringVar(&f.ref, "ref", "main", "branch, tag or commit")
	fs.StringSliceVar(&f.paths, "path", []string{"."}, "folder(s) with manifests")
	fs.StringVar(&f.policyPath, "policy-path", "policies", "folder with Rego policies")
	fs.StringVar(&f.defaultNamespace, "default-namespace", "default", "as for serve")
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
	a, err := apply.New(c, opts)
	if err != nil {
		return err
	}
	res, applyErr := a.Apply(ctx, snap)
	if res != nil {
		for _, o := range res.Objects {
			fmt.Fprintf(out, "%s %s %s\n", o.Key, o.Action, o.Status)
			for _, d := range o.Diff {
				fmt.Fprintf(out, "    %s: live %s, git %s\n", d.Path, short(d.New), short(d.Git))
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

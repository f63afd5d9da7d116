package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitgate-dev/gitgate/webhook/audit"
)

// showFlags are the flags of `gitgate audit show`.
type showFlags struct {
	since, until, output string
	filter               audit.Filter
}

func newAuditShowCommand() *cobra.Command {
	f := &showFlags{}
	cmd := &cobra.Command{
		Use:   "show PATH...",
		Short: "List audit records (files or folders of every replica), oldest first, filtered; Secret values stay keyed digests",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAuditShow(cmd.OutOrStdout(), cmd.ErrOrStderr(), f, args)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.since, "since", "", "only records at or after: an RFC 3339 time or a duration back from now (168h)")
	fs.StringVar(&f.until, "until", "", "only records before: an RFC 3339 time or a duration back from now")
	fs.StringVar(&f.filter.User, "user", "", "only this username")
	fs.StringVar(&f.filter.Namespace, "namespace", "", "only this namespace")
	fs.StringVar(&f.filter.Kind, "kind", "", "only this kind (Deployment, ConfigMap...)")
	fs.StringVar(&f.filter.Name, "name", "", "only this object name")
	fs.StringVar(&f.filter.Decision, "decision", "", "only this decision (denied, warned, audited, excepted, loaded, rejected, reverted, created, pruned, failed, restored, CHECKPOINT)")
	fs.StringVarP(&f.output, "output", "o", "table", "table or json (one record per line)")
	return cmd
}

func runAuditShow(out, errOut io.Writer, f *showFlags, paths []string) error {
	var err error
	now := time.Now()
	if f.filter.Since, err = parseWhen(f.since, now); err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	if f.filter.Until, err = parseWhen(f.until, now); err != nil {
		return fmt.Errorf("--until: %w", err)
	}
	if f.output != "table" && f.output != "json" {
		return fmt.Errorf("--output must be table or json, not %q", f.output)
	}
	f.filter.Checkpoints = strings.EqualFold(f.filter.Decision, audit.OperationCheckpoint)
	chains, err := audit.Chains(paths...)
	if err != nil {
		return err
	}
	var recs []audit.Record
	for _, chain := range chains {
		for _, p := range chain {
			r, skipped, err := audit.ReadRecords(p, f.filter)
			if err != nil {
				return err
			}
			if skipped > 0 {
				fmt.Fprintf(errOut, "%s: %d unreadable line(s) skipped (run gitgate audit verify)\n", p, skipped)
			}
			recs = append(recs, r...)
		}
	}
	slices.SortStableFunc(recs, func(a, b audit.Record) int { return a.Time.Compare(b.Time) })
	if f.output == "json" {
		enc := json.NewEncoder(out)
		for i := range recs {
			if err := enc.Encode(&recs[i]); err != nil {
				return fmt.Errorf("write records: %w", err)
			}
		}
		return nil
	}
	return showTable(out, recs)
}

func showTable(out io.Writer, recs []audit.Record) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TIME\tUSER\tOPERATION\tKIND\tOBJECT\tDECISION\tREASON")
	for _, r := range recs {
		op := r.Operation
		if r.SubResource != "" {
			op += "/" + r.SubResource
		}
		if r.DryRun {
			op += " (dry run)"
		}
		obj := r.Name
		if r.Namespace != "" {
			obj = r.Namespace + "/" + r.Name
		}
		reason := ""
		if len(r.Reasons) > 0 {
			reason = r.Reasons[0]
			if n := len(r.Reasons) - 1 + r.ReasonsOmitted; n > 0 {
				reason += fmt.Sprintf(" (+%d more)", n)
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Time.Format(time.RFC3339), r.User.Username, op, r.GVK.Kind, obj, r.Decision, oneLine(reason, 100))
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	return nil
}

func oneLine(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}

// parseWhen reads an RFC 3339 time or a duration before now; "" is the zero time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration", s)
	}
	return t, nil
}

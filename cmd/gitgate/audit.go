package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gitgate-dev/gitgate/webhook/audit"
)

func newAuditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Work with gitgate's audit log"}
	cmd.AddCommand(&cobra.Command{
		Use:   "verify FILE...",
		Short: "Verify the hash chain of audit log files (oldest first); exit 1 where it breaks",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := audit.Verify(args...)
			if rep != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "%d file(s), %d record(s), seq %d..%d, anchor %s, last hash %s\n",
					rep.Files, rep.Records, rep.First, rep.Last, rep.Anchor, rep.LastHash)
			}
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "chain intact")
			return nil
		},
	})
	return cmd
}

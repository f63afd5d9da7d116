// Command gitgate makes git the only way to change what git declares in a
// Kubernetes cluster: a validating admission webhook that rejects drift from git.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := newRootCommand().Execute(); err != nil {
		reportError(os.Stderr, err)
		os.Exit(exitCode(err))
	}
}

// reportError prints a command's error without the credentials a --repo URL
// may carry (an error can quote the URL).
func reportError(w io.Writer, err error) {
	fmt.Fprintln(w, "gitgate:", source.Redact(err.Error()))
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "gitgate",
		Short:         "Admission webhook that keeps a cluster at what git declares",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCommand(), newCheckCommand(), newDriftCommand(), newApplyCommand(), newRBACCommand(), newAuditCommand(), newCertsCommand(), newVersionCommand())
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the gitgate version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), version)
			return err
		},
	}
}

// exitError carries a process exit code (1 = denied/failed check, 2 = error).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	if e, ok := err.(*exitError); ok {
		return e.code
	}
	return 2
}

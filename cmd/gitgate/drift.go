package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gitgate-dev/gitgate/gitindex/vocab"

	"github.com/spf13/cobra"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/openapi3"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/webhook/drift"
	"github.com/gitgate-dev/gitgate/webhook/revision"
	"github.com/gitgate-dev/gitgate/webhook/scan"
)

type driftFlags struct {
	repoFlags
	kubeconfig, output string
	publish            bool
}

func newDriftCommand() *cobra.Command {
	f := &driftFlags{}
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Compare every live object git declares with git (what admission cannot see); exit 1 on drift",
		RunE:  func(cmd *cobra.Command, _ []string) error { return runDrift(cmd.Context(), cmd.OutOrStdout(), f) },
	}
	fs := cmd.Flags()
	f.repoFlags.bind(fs, "", "main")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default: in-cluster, $KUBECONFIG, ~/.kube/config)")
	fs.StringVarP(&f.output, "output", "o", "table", "table or json")
	fs.BoolVar(&f.publish, "publish", false, "also write PolicyReports (wgpolicyk8s.io/v1alpha2) when the CRD is installed")
	return cmd
}

func runDrift(ctx context.Context, out io.Writer, f *driftFlags) error {
	rev, c, err := f.revisionAndClient(ctx)
	if err != nil {
		return err
	}
	rep, err := (&scan.Scanner{Reader: c, Comparer: rev.Comparer}).Scan(ctx, rev.Snapshot)
	if err != nil {
		return err
	}
	if f.publish {
		if _, err := scan.Publish(ctx, c, scan.PolicyReports(rep, nil), vocab.FieldManager); err != nil {
			return err
		}
	}
	if err := printDrift(out, f.output, rep); err != nil {
		return err
	}
	if len(rep.Findings) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d object(s) drifted from git", len(rep.Findings))}
	}
	return nil
}

func printDrift(out io.Writer, format string, rep *scan.Report) error {
	if format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tNAMESPACE\tNAME\tGIT\tDRIFT")
	for _, f := range rep.Findings {
		what := "missing from the cluster"
		if !f.Missing {
			what = ""
			for i, c := range f.Changes {
				if i > 0 {
					what += ", "
				}
				what += drift.DetailPath(c) // a list compared whole: where it differs
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", f.Key.Kind, f.Key.Namespace, f.Key.Name, f.Source, what)
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "error\t\t\t\t%s\n", e)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(out, "%d of %d objects drifted from git at %.7s\n", len(rep.Findings), rep.Objects, rep.Commit)
	return err
}

// revisionAndClient connects to the cluster and builds the revision at --ref as
// serve would (custom resources' schemas from the API server): what `gitgate
// drift` and `gitgate apply` both start with.
func (f *driftFlags) revisionAndClient(ctx context.Context) (*revision.Revision, client.Client, error) {
	snap, err := f.snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := restConfig(f.kubeconfig)
	if err != nil {
		return nil, nil, fmt.Errorf("kubeconfig: %w", err)
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("create HTTP client: %w", err)
	}
	c, err := client.New(cfg, client.Options{HTTPClient: hc})
	if err != nil {
		return nil, nil, fmt.Errorf("create client: %w", err)
	}
	disc, err := discovery.NewDiscoveryClientForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, nil, fmt.Errorf("create discovery client: %w", err)
	}
	schemas := revision.FromCluster(openapi3.NewRoot(disc.OpenAPIV3()))
	rev, err := revision.New(ctx, snap, revision.Options{Schemas: schemas})
	return rev, c, err
}

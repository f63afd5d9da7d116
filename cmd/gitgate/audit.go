package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/audit/kube"
)

func newAuditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Work with gitgate's audit log"}
	cmd.AddCommand(newAuditVerifyCommand(), newAuditShowCommand())
	return cmd
}

// verifyFlags are the flags of `gitgate audit verify`.
type verifyFlags struct {
	publicKey, anchorsFile, anchors, kubeconfig string
	fromCluster                                 bool
}

func newAuditVerifyCommand() *cobra.Command {
	f := &verifyFlags{}
	cmd := &cobra.Command{
		Use:   "verify PATH...",
		Short: "Verify audit logs (files or folders of every replica): report each edited, missing, reordered or cut range; exit 1 if any",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAuditVerify(cmd.Context(), cmd.OutOrStdout(), f, args)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.publicKey, "public-key", "", "Ed25519 public key checking checkpoint signatures (the keys Secret's signing.pub: raw, base64 or PEM); without it only the hash chain is checked")
	fs.BoolVar(&f.fromCluster, "anchors-from-cluster", false, "also check each log's end against the checkpoint anchored in --anchors")
	fs.StringVar(&f.anchors, "anchors", "gitgate-system/gitgate-audit-anchors", "namespace/name of the anchors ConfigMap (with --anchors-from-cluster)")
	fs.StringVar(&f.anchorsFile, "anchors-file", "", "the anchors ConfigMap saved as YAML or JSON (kubectl get configmap -o yaml), instead of reading the cluster")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default: in-cluster, $KUBECONFIG, ~/.kube/config)")
	return cmd
}

func runAuditVerify(ctx context.Context, out io.Writer, f *verifyFlags, paths []string) error {
	var opts audit.VerifyOptions
	if f.publicKey != "" {
		b, err := os.ReadFile(f.publicKey)
		if err != nil {
			return fmt.Errorf("read public key: %w", err)
		}
		if opts.PublicKey, err = audit.ParsePublicKey(b); err != nil {
			return err
		}
	}
	anchors, err := f.loadAnchors(ctx)
	if err != nil {
		return err
	}
	chains, err := audit.Chains(paths...)
	if err != nil {
		return err
	}
	broken := 0
	seen := map[string]bool{}
	for _, chain := range chains {
		rep, err := verifyChain(opts, anchors, chain)
		if err != nil {
			return err
		}
		seen[rep.Log] = true
		printReport(out, rep)
		if !rep.Intact() {
			broken++
		}
	}
	broken += unseenAnchors(out, anchors, seen)
	if broken > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d audit log(s) not intact", broken)}
	}
	return nil
}

// verifyChain verifies one chain, against its anchor once its log id is known.
func verifyChain(opts audit.VerifyOptions, anchors map[string]*audit.Checkpoint, chain []string) (*audit.LogReport, error) {
	rep, err := audit.VerifyLog(opts, chain...)
	if err != nil || anchors == nil || anchors[rep.Log] == nil {
		return rep, err
	}
	opts.Anchor = anchors[rep.Log]
	return audit.VerifyLog(opts, chain...)
}

func printReport(out io.Writer, rep *audit.LogReport) {
	name := rep.Log
	if name == "" {
		name = "(no checkpoints)"
	}
	fmt.Fprintf(out, "log %s: %s\n  %d line(s), seq %d..%d, %d checkpoint(s), signed up to seq %d, anchored seq %d\n",
		name, strings.Join(rep.Files, " "), rep.Records, rep.First, rep.Last, rep.Checkpoints, rep.Signed, rep.Anchored)
	for _, f := range rep.Findings {
		fmt.Fprintf(out, "  %s\n", f)
	}
	if rep.Intact() {
		fmt.Fprintln(out, "  intact")
	}
}

// unseenAnchors reports anchored logs none of whose files were given: a whole
// replica's log is missing.
func unseenAnchors(out io.Writer, anchors map[string]*audit.Checkpoint, seen map[string]bool) int {
	var missing []string
	for id := range anchors {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	for _, id := range missing {
		fmt.Fprintf(out, "log %s: anchored at seq %d, but none of its files were given\n", id, anchors[id].Seq)
	}
	return len(missing)
}

func (f *verifyFlags) loadAnchors(ctx context.Context) (map[string]*audit.Checkpoint, error) {
	switch {
	case f.anchorsFile != "":
		b, err := os.ReadFile(f.anchorsFile)
		if err != nil {
			return nil, fmt.Errorf("read anchors: %w", err)
		}
		cm := &corev1.ConfigMap{}
		if err := yaml.Unmarshal(b, cm); err != nil {
			return nil, fmt.Errorf("decode anchors %s: %w", f.anchorsFile, err)
		}
		return kube.ParseAnchors(cm.Data)
	case f.fromCluster:
		ns, name, ok := strings.Cut(f.anchors, "/")
		if !ok {
			return nil, fmt.Errorf("--anchors must be namespace/name, not %q", f.anchors)
		}
		cfg, err := restConfig(f.kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig: %w", err)
		}
		c, err := client.New(cfg, client.Options{})
		if err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
		return (&kube.ConfigMapAnchor{Client: c, Namespace: ns, Name: name}).LoadAll(ctx)
	}
	return nil, nil
}

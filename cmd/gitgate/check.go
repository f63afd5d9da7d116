package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/webhook"
	"github.com/gitgate-dev/gitgate/webhook/revision"
)

// checkFlags are the flags of `gitgate check`.
type checkFlags struct {
	repoFlags
	files             []string
	kustomize, review string
	user, mode        string
	unknown           string
	groups            []string
	merge             bool
}

const checkLong = `Without -f, -k or --admission-review, check answers "would gitgate accept this
commit?": it reads --ref (signature checked with --verify-key), renders every
manifest and kustomization within the bounds serve applies, compiles the Rego
under --policy-path and runs its *_test.rego tests, naming every offending
file:line.

With -f (a file, a folder of .yaml/.yml/.json files, or - for stdin; repeatable)
or -k (a kustomization folder on disk), check decides every object of every
document, List items included, as the webhook would for --user: an object git
declares as an UPDATE of git's object, any other as a CREATE; the namespace
defaulted and a Secret's stringData folded as the API server does; built-in
schemas and those of the commit's CRDs; --mode, --merge, --unknown and the
commit's .gitgate.yaml as serve reads them. It prints one line per object, then
the denial or warning the webhook would give.

Exit status: 0 accepted (every object allowed or warned; the commit accepted),
1 denied (an object denied; the commit rejected or a Rego test failing),
2 error (unreadable input, a document that is no object, git unreadable).`

func newCheckCommand() *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Answer offline what gitgate would: for a commit, or for proposed objects",
		Long:  checkLong,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), f)
		},
	}
	fs := cmd.Flags()
	f.repoFlags.bind(fs, ".", "HEAD")
	fs.StringArrayVarP(&f.files, "filename", "f", nil, "proposed objects: a file, a folder, or - for stdin (repeatable)")
	fs.StringVarP(&f.kustomize, "kustomize", "k", "", "a kustomization folder on disk whose rendered objects are proposed")
	fs.StringVar(&f.review, "admission-review", "", "an AdmissionReview JSON file to decide instead of -f")
	fs.StringVar(&f.user, "user", "check-user", "username of the requester")
	fs.StringSliceVar(&f.groups, "group", nil, "groups of the requester")
	fs.StringVar(&f.mode, "mode", webhook.ModeEnforce, "enforce, warn or audit (as for serve)")
	fs.StringVar(&f.unknown, "unknown", "deny", "objects not declared in git: deny or allow (as for serve)")
	fs.BoolVar(&f.merge, "merge", false, "merge mode (as for serve)")
	return cmd
}

func (f *checkFlags) validate() error {
	if f.unknown != "deny" && f.unknown != "allow" {
		return fmt.Errorf("--unknown must be deny or allow, not %q", f.unknown)
	}
	if f.review != "" && (len(f.files) > 0 || f.kustomize != "") {
		return fmt.Errorf("--admission-review does not go with -f or -k")
	}
	return nil
}

func runCheck(ctx context.Context, stdin io.Reader, out io.Writer, f *checkFlags) error {
	if err := f.validate(); err != nil {
		return &exitError{code: 2, err: err}
	}
	if len(f.files) == 0 && f.kustomize == "" && f.review == "" {
		return checkCommit(ctx, out, f)
	}
	snap, err := f.snapshot(ctx)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("read git: %w", err)}
	}
	// The revision as serve builds it, with schemas from the commit's CRDs
	// instead of the API server's.
	rev, err := revision.New(ctx, snap, revision.Options{})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	d := &decider{rev: rev, opts: webhook.Options{Mode: f.mode, Merge: f.merge, AllowUnknown: f.unknown == "allow"}}
	if err := d.opts.ValidateDecision(); err != nil {
		return &exitError{code: 2, err: err}
	}
	if f.review != "" {
		return decideReview(ctx, out, d, f.review)
	}
	return decideProposals(ctx, stdin, out, d, f)
}

// decider decides requests against one revision as the webhook would, with
// check's settings and no sync identity (nobody is one).
type decider struct {
	rev  *revision.Revision
	opts webhook.Options
}

func (d *decider) decide(ctx context.Context, req admission.Request) (admission.Response, error) {
	return webhook.Decide(ctx, d.rev, req, d.opts)
}

// denied is the exit of a check that found a denial.
func denied(format string, args ...any) error {
	return &exitError{code: 1, err: fmt.Errorf(format, args...)}
}

var errCheckInput = errors.New("input is not what check can decide")

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/policy"
	"github.com/gitgate-dev/gitgate/webhook"
)

type checkFlags struct {
	repo, ref, policyPath, defaultNamespace string
	paths                                   []string
	file, review, user, mode                string
	groups                                  []string
	merge                                   bool
}

func newCheckCommand() *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Decide a proposed change offline, exactly as the webhook would, and run the repo's Rego tests",
		Long: `check evaluates a proposed object (-f, as an update of git's object, or a create if git
does not declare it) or a recorded AdmissionReview (--admission-review) against the
manifests and policies at a commit, and prints the webhook's answer. It also runs the
repository's *_test.rego tests. Exit code: 0 allowed, 1 denied or a failing test, 2 error.`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCheck(cmd.Context(), cmd.OutOrStdout(), f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.repo, "repo", ".", "local git working copy")
	fs.StringVar(&f.ref, "ref", "HEAD", "commit, branch or tag to check against")
	fs.StringSliceVar(&f.paths, "path", []string{"."}, "folder(s) with manifests (as for serve)")
	fs.StringVar(&f.policyPath, "policy-path", "policies", "folder with Rego policies (as for serve)")
	fs.StringVar(&f.defaultNamespace, "default-namespace", "default", "as for serve")
	fs.StringVarP(&f.file, "filename", "f", "", "proposed object (YAML or JSON; - for stdin)")
	fs.StringVar(&f.review, "admission-review", "", "an AdmissionReview JSON file to decide instead of -f")
	fs.StringVar(&f.user, "user", "check-user", "username of the requester")
	fs.StringSliceVar(&f.groups, "group", nil, "groups of the requester")
	fs.StringVar(&f.mode, "mode", webhook.ModeEnforce, "enforce, warn or audit")
	fs.BoolVar(&f.merge, "merge", false, "merge mode (as for serve)")
	return cmd
}

func runCheck(ctx context.Context, out io.Writer, f *checkFlags) error {
	commit, files, err := gitindex.LocalCommit(f.repo, f.ref, append(append([]string(nil), f.paths...), f.policyPath)...)
	if err != nil {
		return err
	}
	snap, err := gitindex.Build(commit, files, gitindex.BuildOptions{Repo: f.repo, Paths: f.paths, PolicyPath: f.policyPath, DefaultNamespace: f.defaultNamespace})
	if err != nil {
		return err
	}
	eng, err := policy.Compile(ctx, snap.Policies, policy.DefaultOptions())
	if err != nil {
		return fmt.Errorf("compile policy at %s: %w", snap.ShortCommit(), err)
	}
	failed, err := runRegoTests(ctx, out, snap.Policies)
	if err != nil {
		return err
	}
	if f.file == "" && f.review == "" {
		fmt.Fprintf(out, "%s: %d objects, %d policy files OK\n", snap.ShortCommit(), snap.Len(), len(snap.Policies))
		return testsExit(failed)
	}
	req, err := checkRequest(f, snap)
	if err != nil {
		return err
	}
	h, err := webhook.NewHandler(webhook.Options{Identities: webhook.Identities{SyncUsers: []string{"\x00no-sync-user"}}, Mode: f.mode, Merge: f.merge})
	if err != nil {
		return err
	}
	h.Store(&webhook.Revision{Snapshot: snap, Policy: eng})
	resp := h.Handle(ctx, req)
	printResponse(out, resp)
	if !resp.Allowed {
		return &exitError{code: 1, err: errors.New("denied")}
	}
	return testsExit(failed)
}

func testsExit(failed int) error {
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d Rego test(s) failed", failed)}
	}
	return nil
}

func runRegoTests(ctx context.Context, out io.Writer, modules map[string]string) (int, error) {
	results, err := policy.RunTests(ctx, modules)
	if err != nil {
		return 0, fmt.Errorf("rego tests: %w", err)
	}
	failed := 0
	for _, r := range results {
		status := "PASS"
		if !r.Pass {
			status, failed = "FAIL", failed+1
		}
		fmt.Fprintf(out, "%s: %s.%s (%s) %s\n", status, r.Package, r.Name, r.Location, r.Err)
	}
	return failed, nil
}

func printResponse(out io.Writer, resp admission.Response) {
	verdict := "ALLOWED"
	if !resp.Allowed {
		verdict = "DENIED"
	}
	fmt.Fprintln(out, verdict)
	if resp.Result != nil && resp.Result.Message != "" {
		fmt.Fprintln(out, resp.Result.Message)
	}
	for _, w := range resp.Warnings {
		fmt.Fprintln(out, "Warning:", w)
	}
}

// checkRequest builds the admission request: the given AdmissionReview, or the
// proposed object as an update of git's object (a create if git lacks it).
func checkRequest(f *checkFlags, snap *gitindex.Snapshot) (admission.Request, error) {
	if f.review != "" {
		data, err := os.ReadFile(f.review)
		if err != nil {
			return admission.Request{}, err
		}
		var rev admissionv1.AdmissionReview
		if err := json.Unmarshal(data, &rev); err != nil || rev.Request == nil {
			return admission.Request{}, fmt.Errorf("%s is not an AdmissionReview with a request: %v", f.review, err)
		}
		return admission.Request{AdmissionRequest: *rev.Request}, nil
	}
	data, err := readInput(f.file)
	if err != nil {
		return admission.Request{}, err
	}
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return admission.Request{}, fmt.Errorf("%s: %w", f.file, err)
	}
	var meta struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Metadata   metav1.ObjectMeta `json:"metadata"`
	}
	if err := json.Unmarshal(j, &meta); err != nil || meta.Kind == "" || meta.Metadata.Name == "" {
		return admission.Request{}, fmt.Errorf("%s: not a Kubernetes object with kind and metadata.name", f.file)
	}
	gvk := schema.FromAPIVersionAndKind(meta.APIVersion, meta.Kind)
	ns := meta.Metadata.Namespace
	key := gitindex.Key{Group: gvk.Group, Kind: gvk.Kind, Namespace: ns, Name: meta.Metadata.Name}
	desired, ok := snap.Lookup(key)
	if !ok && ns == "" {
		key.Namespace = f.defaultNamespace
		if desired, ok = snap.Lookup(key); ok {
			ns = key.Namespace
		}
	}
	req := admissionv1.AdmissionRequest{
		UID: "gitgate-check", Operation: admissionv1.Create, Namespace: ns, Name: meta.Metadata.Name,
		Kind:     metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind},
		UserInfo: authenticationv1.UserInfo{Username: f.user, Groups: f.groups},
		Object:   runtime.RawExtension{Raw: j},
	}
	if ok {
		old, err := json.Marshal(desired.Object)
		if err != nil {
			return admission.Request{}, err
		}
		req.Operation, req.OldObject = admissionv1.Update, runtime.RawExtension{Raw: old}
	}
	return admission.Request{AdmissionRequest: req}, nil
}

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(strings.TrimSpace(name))
}

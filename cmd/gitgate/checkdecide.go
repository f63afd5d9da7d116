package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// checkTally counts the outcomes of a check over proposed objects.
type checkTally struct{ objects, denied, errors int }

// decideProposals decides every object of every proposed file, one line each.
func decideProposals(ctx context.Context, stdin io.Reader, out io.Writer, d *decider, f *checkFlags) error {
	files, err := readProposals(stdin, f.files, f.kustomize)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	var t checkTally
	for _, file := range files {
		objs, problems := gitindex.ReadProposed(file.data)
		for _, p := range problems {
			t.errors++
			fmt.Fprintf(out, "%s:%s\n", file.name, p)
		}
		for _, p := range objs {
			t.add(decideObject(ctx, out, d, f, fmt.Sprintf("%s:%d", file.name, p.Line), p.Object))
		}
	}
	fmt.Fprintf(out, "%d object(s): %d denied, %d error(s)\n", t.objects, t.denied, t.errors)
	switch {
	case t.errors > 0:
		return &exitError{code: 2, err: fmt.Errorf("%d document(s) could not be decided: %w", t.errors, errCheckInput)}
	case t.denied > 0:
		return denied("%d of %d object(s) denied", t.denied, t.objects)
	}
	return nil
}

// outcome is what deciding one object came to.
type outcome int

const (
	outcomeAllowed outcome = iota
	outcomeDenied
	outcomeError
)

func (t *checkTally) add(o outcome) {
	t.objects++
	switch o {
	case outcomeDenied:
		t.denied++
	case outcomeError:
		t.errors++
	}
}

// decideObject decides one proposed object and prints its line (and the
// webhook's message when it is not a plain allow).
func decideObject(ctx context.Context, out io.Writer, d *decider, f *checkFlags, at string, obj map[string]any) outcome {
	var resp admission.Response
	req, key, err := proposalRequest(d.rev.Snapshot, f, obj)
	if err == nil {
		resp, err = d.decide(ctx, req)
	}
	if err != nil {
		fmt.Fprintf(out, "%s: error: %v\n", at, err)
		return outcomeError
	}
	verdict, o := "allowed", outcomeAllowed
	switch {
	case !resp.Allowed:
		verdict, o = "denied", outcomeDenied
	case len(resp.Warnings) > 0:
		verdict = "warned"
	}
	msg := responseMessage(resp)
	if o == outcomeAllowed && len(resp.Warnings) == 0 {
		if msg != "" {
			verdict += " (" + msg + ")"
		}
		fmt.Fprintf(out, "%s: %s: %s\n", at, key, verdict)
		return o
	}
	fmt.Fprintf(out, "%s: %s: %s\n", at, key, verdict)
	for _, l := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		fmt.Fprintf(out, "    %s\n", l)
	}
	return o
}

// responseMessage is the text kubectl would print: the denial, or the warnings.
func responseMessage(resp admission.Response) string {
	if !resp.Allowed || len(resp.Warnings) == 0 {
		if resp.Result != nil {
			return resp.Result.Message
		}
		return ""
	}
	return strings.Join(resp.Warnings, "\n")
}

// proposalRequest is the admission request the API server would send for the
// proposed object: an UPDATE of git's object when git declares it (the cluster
// at git), else a CREATE.
func proposalRequest(snap *gitindex.Snapshot, f *checkFlags, obj map[string]any) (admission.Request, gitindex.Key, error) {
	key, err := snap.Proposal(obj, f.defaultNamespace)
	if err != nil {
		return admission.Request{}, key, err
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return admission.Request{}, key, fmt.Errorf("encode %s: %w", key, err)
	}
	apiVersion, _ := obj["apiVersion"].(string)
	gvk := schema.FromAPIVersionAndKind(apiVersion, key.Kind)
	req := admissionv1.AdmissionRequest{
		UID: "gitgate-check", Operation: admissionv1.Create, Namespace: key.Namespace, Name: key.Name,
		Kind:     metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind},
		UserInfo: authenticationv1.UserInfo{Username: f.user, Groups: f.groups},
		Object:   runtime.RawExtension{Raw: raw},
	}
	if key.Group == "" && key.Kind == "Namespace" {
		req.Namespace = key.Name // as the API server sends a Namespace's requests
	}
	if desired, ok := snap.Lookup(key); ok {
		old, err := json.Marshal(desired.Object)
		if err != nil {
			return admission.Request{}, key, fmt.Errorf("encode git's %s: %w", key, err)
		}
		req.Operation, req.OldObject = admissionv1.Update, runtime.RawExtension{Raw: old}
	}
	return admission.Request{AdmissionRequest: req}, key, nil
}

// decideReview decides a recorded AdmissionReview.
func decideReview(ctx context.Context, out io.Writer, d *decider, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("read admission review: %w", err)}
	}
	var rev admissionv1.AdmissionReview
	if err := json.Unmarshal(data, &rev); err != nil || rev.Request == nil {
		return &exitError{code: 2, err: fmt.Errorf("%s is not an AdmissionReview with a request: %v", file, err)}
	}
	resp, err := d.decide(ctx, admission.Request{AdmissionRequest: *rev.Request})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	verdict := "allowed"
	if !resp.Allowed {
		verdict = "denied"
	}
	fmt.Fprintf(out, "%s: %s %s: %s\n%s\n", file, rev.Request.Kind.Kind, rev.Request.Name, verdict, responseMessage(resp))
	if !resp.Allowed {
		return denied("denied")
	}
	return nil
}

package webhook

import (
	"context"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex/vocab"
	"github.com/gitgate-dev/gitgate/policy"
	"github.com/gitgate-dev/gitgate/policy/wire"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// except evaluates the revision's Rego for the violations and removes the covered
// ones. An evaluation error keeps every violation and is reported (fail closed).
func (h *Handler) except(ctx context.Context, rev *Revision, in *input, v *verdict) {
	pin := policyInput(rev, in, v, h.now())
	res, err := rev.Policy.Evaluate(ctx, pin)
	if err != nil {
		v.policyErr = err
		return
	}
	var left []drift.Change
	for i, c := range v.violations {
		if i < len(res.Covered) && res.Covered[i] {
			continue
		}
		left = append(left, c)
	}
	v.violations = left
	v.excepted = res.Exceptions
	v.expired = res.Expired
	v.policyDeny = res.Deny
	v.warnings = append(v.warnings, res.Warn...)
	for _, e := range res.Exceptions {
		if e.BreakGlass {
			v.breakGlass = metaMap(in.obj, "annotations")[vocab.BreakGlassAnnotation]
		}
	}
}

func policyInput(rev *Revision, in *input, v *verdict, now time.Time) *policy.Input {
	pin := &policy.Input{
		Request: policy.Request{
			Operation:   string(in.req.Operation),
			SubResource: in.req.SubResource,
			UserInfo:    requester(in.req.UserInfo),
			DryRun:      in.req.DryRun != nil && *in.req.DryRun,
			Kind:        kindOf(in.gvk),
			Namespace:   in.key.Namespace,
			Name:        in.key.Name,
			Annotations: requestAnnotations(in),
		},
		Object:    in.obj,
		OldObject: in.old,
		// Decoded from these bytes, by rawjson.Decode: JSON types only.
		ObjectBytes: len(in.req.Object.Raw), OldObjectBytes: len(in.req.OldObject.Raw),
		Commit: rev.Snapshot.Commit,
		Now:    now,
	}
	if v.desired != nil {
		pin.Desired = v.desired.Object
		pin.Source = v.desired.Source()
	}
	pin.Drift = drift.Items(v.violations)
	return pin
}

// requester is the authenticated user, as the policy input and the audit
// record show it.
func requester(u authenticationv1.UserInfo) wire.User {
	return wire.User{Username: u.Username, UID: u.UID, Groups: u.Groups, Extra: extra(u.Extra)}
}

// kindOf is the kind, as the policy input and the audit record show it.
func kindOf(gvk schema.GroupVersionKind) wire.GVK {
	return wire.GVK{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}
}

func extra(in map[string]authenticationv1.ExtraValue) map[string][]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string][]string, len(in))
	for k, v := range in {
		out[k] = []string(v)
	}
	return out
}

// requestAnnotations are the annotations the request itself sets or changes:
// a break-glass ticket covers the change that carries it, never a later change
// by someone else of an object that still bears it. A request that sets a
// ticket reads its deadline with it, changed or not.
func requestAnnotations(in *input) map[string]string {
	oldM, newM := metaMap(in.old, "annotations"), metaMap(in.obj, "annotations")
	out := map[string]string{}
	for k, v := range newM {
		if old, ok := oldM[k]; !ok || old != v {
			out[k] = v
		}
	}
	if until, ok := newM[vocab.BreakGlassUntilAnnotation]; ok && out[vocab.BreakGlassAnnotation] != "" {
		out[vocab.BreakGlassUntilAnnotation] = until
	}
	return out
}

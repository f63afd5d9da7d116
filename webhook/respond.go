package webhook

import (
	"context"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/webhook/audit"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// Auditor receives audit records without blocking (audit.Log).
type Auditor interface {
	Record(r audit.Record) bool
}

// respond builds the admission response for a verdict: the one place decisions
// become responses.
func (h *Handler) respond(rev *Revision, in *input, v *verdict) admission.Response {
	var resp admission.Response
	if v.decision != DecisionAllowed && v.desired != nil {
		v.source = gitSource(v) // once: message, audit line and annotations agree
	}
	switch v.decision {
	case DecisionAllowed:
		return allowed("")
	case DecisionDenied:
		resp = admission.Denied(message(rev, in, v))
	case DecisionWarned:
		resp = admission.Allowed("").WithWarnings(strings.Split(message(rev, in, v), "\n")...)
	default:
		resp = admission.Allowed("")
	}
	if len(v.warnings) > 0 {
		resp = resp.WithWarnings(v.warnings...)
	}
	resp.AuditAnnotations = map[string]string{
		"decision": v.decision,
		"mode":     v.mode,
		"commit":   rev.Snapshot.Commit,
	}
	if v.source != "" {
		resp.AuditAnnotations["source"] = v.source
	}
	if ids := exceptionIDs(v); len(ids) > 0 {
		resp.AuditAnnotations["exceptions"] = strings.Join(ids, ",")
	}
	if v.breakGlass != "" {
		resp.AuditAnnotations["break-glass"] = v.breakGlass
	}
	return resp
}

func exceptionIDs(v *verdict) []string {
	ids := make([]string, 0, len(v.excepted))
	for _, e := range v.excepted {
		ids = append(ids, e.ID)
	}
	return ids
}

// report writes the audit record and counts the decision. It never blocks.
func (h *Handler) report(ctx context.Context, rev *Revision, in *input, v *verdict, start time.Time) {
	dryRun := in.req.DryRun != nil && *in.req.DryRun
	h.opts.Metrics.observe(in, v.decision, v.mode, dryRun, time.Since(start))
	if v.decision == DecisionAllowed {
		return
	}
	h.event(in, v, dryRun)
	if h.opts.Auditor == nil {
		return
	}
	if !h.opts.Auditor.Record(h.auditRecord(rev, in, v, dryRun)) {
		logr.FromContextOrDiscard(ctx).V(1).Info("audit queue full, record dropped", "uid", in.req.UID)
	}
}

func (h *Handler) auditRecord(rev *Revision, in *input, v *verdict, dryRun bool) audit.Record {
	r := audit.Record{
		Time: h.now().UTC(), UID: string(in.req.UID),
		User:      requester(in.req.UserInfo),
		Operation: string(in.req.Operation), SubResource: in.req.SubResource,
		GVK:       kindOf(in.gvk),
		Namespace: in.key.Namespace, Name: in.key.Name, DryRun: dryRun,
		Decision: v.decision, Mode: v.mode, Exceptions: exceptionIDs(v), BreakGlass: v.breakGlass,
		Commit: rev.Snapshot.Commit,
	}
	r.Source = v.source
	r.Reasons = reasons(in, v)
	r.Drift = drift.Items(append(append([]drift.Change(nil), v.forbidden...), v.violations...))
	if isSecret(in) {
		r.Drift = audit.MaskSecret(r.Drift)
	}
	return r
}

// reasons are the message's item lines, for the audit record.
func reasons(in *input, v *verdict) []string {
	out := reasonLines(in, v, isSecret(in))
	out = append(out, v.policyDeny...)
	if v.policyErr != nil {
		out = append(out, "policy evaluation failed: "+v.policyErr.Error())
	}
	for _, e := range v.excepted {
		out = append(out, "excepted by "+e.ID+": "+e.Reason)
	}
	return out
}

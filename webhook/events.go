package webhook

import (
	"strings"

	"golang.org/x/time/rate"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// EventRecorder is the part of client-go's events.EventRecorder the handler uses;
// it must not block (client-go's broadcaster queues and drops when full).
type EventRecorder interface {
	Eventf(regarding runtime.Object, related runtime.Object, eventtype, reason, action, note string, args ...interface{})
}

// Event reasons on the object a drift was attempted on.
const (
	ReasonDriftDenied   = "DriftDenied"
	ReasonDriftWarned   = "DriftWarned"
	ReasonDriftAudited  = "DriftAudited"
	ReasonDriftExcepted = "DriftExcepted"
)

// maxEventNote bounds an event's note (the API allows 1 KiB).
const maxEventNote = 1000

// defaultEventLimiter allows 10 events a second with bursts of 50, so a drift storm
// cannot flood the API server with Events.
func defaultEventLimiter() *rate.Limiter { return rate.NewLimiter(10, 50) }

// event emits a Kubernetes Event on the object for a drift decision (not for dry-run
// requests, not beyond the rate limit).
func (h *Handler) event(in *input, v *verdict, dryRun bool) {
	if h.opts.Events == nil || dryRun || !h.events.Allow() {
		return
	}
	reason := map[string]string{
		DecisionDenied: ReasonDriftDenied, DecisionWarned: ReasonDriftWarned,
		DecisionAudited: ReasonDriftAudited, DecisionExcepted: ReasonDriftExcepted,
	}[v.decision]
	if reason == "" {
		return
	}
	ref := &unstructured.Unstructured{}
	ref.SetAPIVersion(in.gvk.GroupVersion().String())
	ref.SetKind(in.gvk.Kind)
	ref.SetNamespace(in.key.Namespace)
	ref.SetName(in.key.Name)
	if uid := metaString(in.old, "uid"); uid != "" {
		ref.SetUID(types.UID(uid))
	}
	note := in.req.UserInfo.Username + ": " + strings.Join(reasons(in, v), "; ")
	if len(note) > maxEventNote {
		note = note[:maxEventNote-3] + "..."
	}
	eventType := "Warning"
	if v.decision == DecisionExcepted {
		eventType = "Normal"
	}
	h.opts.Events.Eventf(ref, nil, eventType, reason, string(in.req.Operation), "%s", note)
}

package webhook

import (
	"context"
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Decide answers req against rev as a Handler with opts would, purely: nothing is
// audited, counted or sent as an Event, and no sync identity is required (without
// one, nobody is the sync identity). It is what `gitgate check` runs; opts'
// Auditor, Metrics, Events and Revisions are ignored.
func Decide(ctx context.Context, rev *Revision, req admission.Request, opts Options) (admission.Response, error) {
	opts.Auditor, opts.Metrics, opts.Events = nil, nil, nil
	opts.Revisions = fixed{rev}
	opts.Default()
	if err := opts.ValidateDecision(); err != nil {
		return admission.Response{}, fmt.Errorf("webhook options: %w", err)
	}
	h := &Handler{opts: opts, revs: opts.Revisions, now: time.Now, events: defaultEventLimiter()}
	return h.Handle(ctx, req), nil
}

// fixed is one revision that never changes.
type fixed struct{ rev *Revision }

func (f fixed) Current() *Revision { return f.rev }

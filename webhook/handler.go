package webhook

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/time/rate"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
	"github.com/gitgate-dev/gitgate/webhook/drift"
	"github.com/gitgate-dev/gitgate/webhook/internal/rawjson"
	"github.com/gitgate-dev/gitgate/webhook/revision"
)

// Revision is what the webhook judges by: one commit's snapshot, its compiled
// policy and its comparison (see package revision). It is immutable.
type Revision = revision.Revision

// Revisions gives the current revision (nil before the first); a
// *revision.Store is one.
type Revisions interface {
	Current() *Revision
}

// Handler decides admission requests against the current Revision.
type Handler struct {
	opts Options
	revs Revisions
	now  func() time.Time

	events    *rate.Limiter
	draining  atomic.Bool
	notLoaded atomic.Pointer[string] // why no revision is loaded yet, if known
}

var _ admission.Handler = (*Handler)(nil)

// NewHandler returns a Handler judging by opts.Revisions: until it has a
// revision, humans are denied with an explanation and controllers and the sync
// identity pass.
func NewHandler(opts Options) (*Handler, error) {
	opts.Default()
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("webhook options: %w", err)
	}
	return &Handler{opts: opts, revs: opts.Revisions, now: time.Now, events: defaultEventLimiter()}, nil
}

// Drain makes Ready fail from now on (graceful shutdown); requests are still
// answered.
func (h *Handler) Drain() { h.draining.Store(true) }

// NotLoaded records why no revision could be loaded yet (the commit at HEAD was
// rejected: over a bound, broken, untrusted), for the denials and the readiness
// check until one is: a pod restarted on a bad HEAD says why it serves nothing.
func (h *Handler) NotLoaded(reason string) {
	if len(reason) > maxNotLoadedReason {
		reason = reason[:maxNotLoadedReason-3] + "..."
	}
	h.notLoaded.Store(&reason)
}

// maxNotLoadedReason bounds the reason quoted in denials.
const maxNotLoadedReason = 400

// notLoadedMessage is the denial of a governed write before a revision is loaded.
func (h *Handler) notLoadedMessage() string {
	const msg = "gitgate has not loaded git yet; retry in a moment (only the sync identity and cluster controllers may write until it has)"
	if why := h.notLoaded.Load(); why != nil && *why != "" {
		return msg + ". The commit at HEAD was not loaded: " + *why
	}
	return msg
}

// Ready is a readiness check: ready once a revision is loaded, until Drain.
func (h *Handler) Ready(*http.Request) error {
	if h.draining.Load() {
		return fmt.Errorf("shutting down")
	}
	if h.revs.Current() == nil {
		if why := h.notLoaded.Load(); why != nil && *why != "" {
			return fmt.Errorf("no git revision loaded yet: %s", *why)
		}
		return fmt.Errorf("no git revision loaded yet")
	}
	return nil
}

// Handle implements admission.Handler. It never panics: an internal failure is an
// explained denial (fail closed), counted in gitgate_fail_closed_total.
func (h *Handler) Handle(ctx context.Context, req admission.Request) (resp admission.Response) {
	defer func() {
		if r := recover(); r != nil {
			logr.FromContextOrDiscard(ctx).Error(fmt.Errorf("%v", r), "internal error deciding a request", "uid", req.UID)
			resp = h.opts.Metrics.failClosed(admission.Denied(fmt.Sprintf("gitgate: internal error deciding %s %s/%s; denied to stay safe (see gitgate's log, uid %s)", req.Kind.Kind, req.Namespace, req.Name, req.UID)))
		}
	}()
	start := h.now()
	who := h.opts.classify(req.UserInfo)
	if who == actorSync {
		return allowed("sync identity")
	}
	rev := h.revs.Current()
	if ks, ok := h.tenant(rev, req, who); ok {
		return allowed("sync identity of Flux Kustomization " + ks)
	}
	if rev != nil && h.ungoverned(rev, req, who) {
		return allowed("not declared in git")
	}
	in, err := h.decodeRequest(req, who, rev)
	if err != nil {
		return h.opts.Metrics.failClosed(admission.Errored(http.StatusBadRequest, fmt.Errorf("gitgate: %w", err)))
	}
	if rev == nil {
		if who == actorController {
			return allowed("controller; no revision loaded yet")
		}
		return h.opts.Metrics.failClosed(admission.Denied(h.notLoadedMessage()))
	}
	v := h.refusal(rev, in)
	if v == nil {
		v = h.decide(ctx, rev, in)
	}
	if v.policyErr != nil {
		h.opts.Metrics.failClosed(admission.Response{}) // denied by the policy error below
	}
	resp = h.respond(rev, in, v)
	h.report(ctx, rev, in, v, start)
	return resp
}

// input is a decoded admission request.
type input struct {
	req   *admission.Request
	actor actor
	gvk   schema.GroupVersionKind // of the object written (the parent's for a subresource)
	key   gitindex.Key
	cmp   *drift.Comparer // the revision's comparison (nil without a revision)
	obj   map[string]any  // the parent's new state (the Scale for scale; nil for eviction and binding)
	old   map[string]any
	sent  map[string]any // what an eviction or binding request sends
	sub   subresource
	// unmapped: the parent's kind is unknown (gvk.Kind is empty).
	unmapped bool
}

func (h *Handler) decodeRequest(req admission.Request, who actor, rev *Revision) (*input, error) {
	in := &input{req: &req, actor: who, sub: subresourceOf(&req)}
	if rev != nil {
		in.cmp = rev.Comparer
	}
	obj, err := rawjson.Decode(req.Object.Raw)
	if err != nil {
		return nil, fmt.Errorf("decode object: %w", err)
	}
	if in.sub == subEviction || in.sub == subBinding {
		in.sent = obj
	} else {
		in.obj = obj
	}
	if in.old, err = rawjson.Decode(req.OldObject.Raw); err != nil {
		return nil, fmt.Errorf("decode oldObject: %w", err)
	}
	var mapped bool
	in.gvk, mapped = h.parentKind(rev, &req, in.sub)
	in.unmapped = !mapped
	name := req.Name
	if name == "" {
		name = metaString(in.old, "name")
	}
	in.key = gitindex.Key{Group: in.gvk.Group, Kind: in.gvk.Kind, Namespace: objectNamespace(req), Name: name}
	return in, nil
}

// objectNamespace is the request's namespace, except for a Namespace object, whose
// requests carry its own name as namespace although it is cluster-scoped.
func objectNamespace(req admission.Request) string {
	if req.Kind.Group == "" && req.Kind.Kind == "Namespace" {
		return ""
	}
	return req.Namespace
}

func metaString(obj map[string]any, field string) string {
	meta, _ := obj["metadata"].(map[string]any)
	s, _ := meta[field].(string)
	return s
}

func allowed(reason string) admission.Response {
	return admission.Allowed(reason)
}

// operation returns the request's operation.
func (in *input) operation() admissionv1.Operation { return in.req.Operation }

// ungoverned is the fast path for the catch-all registration: a request on an object
// git does not declare, that no rule concerns, is allowed without decoding the
// objects. Rule 4 (an undeclared CREATE in a governed namespace) and rule 6 (any
// gitgate.dev/ metadata in the request) always take the full path.
func (h *Handler) ungoverned(rev *Revision, req admission.Request, who actor) bool {
	if req.SubResource != "" || req.Name == "" || subresourceOf(&req) != subNone {
		return false // subresources resolve their parent kind; deletecollection its name
	}
	key := gitindex.Key{Group: req.Kind.Group, Kind: req.Kind.Kind, Namespace: objectNamespace(req), Name: req.Name}
	if _, managed := rev.Snapshot.Lookup(key); managed || holdsDeclared(rev.Snapshot, req.Operation, key) {
		return false
	}
	if req.Operation == admissionv1.Create && who == actorHuman && key.Namespace != "" &&
		rev.Snapshot.Governs(key.Namespace) && rev.Snapshot.ManagesKind(key.GroupKind()) {
		return false
	}
	return !bytes.Contains(req.Object.Raw, gitgateMarker) && !bytes.Contains(req.OldObject.Raw, gitgateMarker)
}

// gitgateMarker finds gitgate's own labels and annotations in raw JSON.
var gitgateMarker = []byte(vocab.Prefix)

// tenant returns the Flux Kustomization that makes the request's user a sync
// identity for the declared object it writes (see revision.Tenants), if one does.
// Subresources and requests without a name are never in a tenant's scope.
func (h *Handler) tenant(rev *Revision, req admission.Request, who actor) (string, bool) {
	if rev == nil || who != actorHuman || req.SubResource != "" || req.Name == "" {
		return "", false
	}
	return rev.Tenants.Scope(req.UserInfo.Username, gitindex.Key{Group: req.Kind.Group, Kind: req.Kind.Kind, Namespace: objectNamespace(req), Name: req.Name})
}

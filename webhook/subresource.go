package webhook

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// subresource says how a request writes its parent object.
type subresource int

const (
	subNone     subresource = iota // the object itself
	subStatus                      // */status: the whole parent; only its metadata is judged
	subObject                      // pods/resize, pods/ephemeralcontainers, namespaces/finalize: the whole parent, judged in full
	subScale                       // */scale: a Scale whose spec.replicas is the parent's
	subEviction                    // pods/eviction: a CREATE of an Eviction, which deletes the Pod
	subBinding                     // pods/binding (and the bindings resource): sets the Pod's spec.nodeName
	subUnknown                     // any other: gitgate cannot tell what it changes
)

// subresourceOf classifies a request by what it writes.
func subresourceOf(req *admission.Request) subresource {
	core := req.Resource.Group == ""
	switch {
	case req.SubResource == "" && core && req.Resource.Resource == "bindings":
		return subBinding
	case req.SubResource == "":
		return subNone
	case req.SubResource == "status":
		return subStatus
	case req.SubResource == "scale":
		return subScale
	case !core:
		return subUnknown
	}
	switch req.Resource.Resource + "/" + req.SubResource {
	case "pods/resize", "pods/ephemeralcontainers", "namespaces/finalize":
		return subObject
	case "pods/eviction":
		return subEviction
	case "pods/binding":
		return subBinding
	}
	return subUnknown
}

// carriesParent reports whether the request's object is the parent itself (so
// its kind is the request's kind), rather than a Scale, Eviction or Binding.
func (s subresource) carriesParent() bool {
	return s == subNone || s == subStatus || s == subObject
}

// Kinds maps an API resource to its kind without I/O: the request path may not
// call the API server. DiscoveryKinds is the implementation gitgate serves with.
type Kinds interface {
	KindFor(gr schema.GroupResource) (kind string, ok bool)
}

// builtinKinds are the built-in resources whose subresource requests do not carry
// their kind (scale, eviction, binding): facts of the Kubernetes API, not guesses.
var builtinKinds = map[schema.GroupResource]string{
	{Group: "apps", Resource: "deployments"}:                     "Deployment",
	{Group: "apps", Resource: "replicasets"}:                     "ReplicaSet",
	{Group: "apps", Resource: "statefulsets"}:                    "StatefulSet",
	{Resource: "replicationcontrollers"}:                         "ReplicationController",
	{Resource: "pods"}:                                           "Pod",
	{Resource: "bindings"}:                                       "Pod", // a Binding's name is its Pod's
	{Resource: "namespaces"}:                                     "Namespace",
	{Group: "autoscaling", Resource: "horizontalpodautoscalers"}: "HorizontalPodAutoscaler",
}

// parentKind resolves the kind of the object a request writes: the request's
// own for the object and the subresources that carry it, else from the
// resource, through the built-in table, the commit's CRDs and discovery — never
// by guessing a plural. ok is false when nobody can tell.
func (h *Handler) parentKind(rev *Revision, req *admission.Request, sub subresource) (schema.GroupVersionKind, bool) {
	if sub.carriesParent() {
		return schema.GroupVersionKind{Group: req.Kind.Group, Version: req.Kind.Version, Kind: req.Kind.Kind}, true
	}
	gr := schema.GroupResource{Group: req.Resource.Group, Resource: req.Resource.Resource}
	gvk := schema.GroupVersionKind{Group: gr.Group, Version: req.Resource.Version}
	var ok bool
	if gvk.Kind, ok = builtinKinds[gr]; ok {
		return gvk, true
	}
	if rev != nil {
		if gvk.Kind, ok = rev.Snapshot.KindFor(gr); ok {
			return gvk, true
		}
	}
	if h.opts.Kinds != nil {
		if gvk.Kind, ok = h.opts.Kinds.KindFor(gr); ok {
			return gvk, true
		}
	}
	return gvk, false
}

// Paths of the refusals: requests gitgate cannot judge in git's terms.
const (
	pathAPIVersion = "apiVersion"
	pathUnmapped   = "(resource)"
)

// refusal returns the verdict for a request gitgate cannot judge in git's terms,
// nil when it can: a subresource whose parent kind nobody can tell, where git
// could declare the parent; or a human's write of a declared object in another
// version than git's (the API server converts requests to git's version only
// when the registration names it, see the guard's narrowing), which would be
// compared field by field against the wrong schema.
func (h *Handler) refusal(rev *Revision, in *input) *verdict {
	var c drift.Change
	var desired *gitindex.Object
	switch {
	case in.unmapped && (in.key.Namespace == "" || rev.Snapshot.Governs(in.key.Namespace)):
		c = drift.Change{Path: pathUnmapped, Declared: true, New: in.req.Resource.Group + "/" + in.req.Resource.Resource}
	case in.unmapped || in.actor != actorHuman || !in.sub.carriesParent() || in.operation() == "DELETE":
		return nil
	default:
		o, declared := rev.Snapshot.Lookup(in.key)
		if !declared || o.GroupVersionKind().Version == in.gvk.Version {
			return nil
		}
		desired = o
		c = drift.Change{Path: pathAPIVersion, Declared: true, Git: o.APIVersion, New: in.gvk.GroupVersion().String()}
	}
	mode := h.opts.Mode
	if m := rev.Snapshot.Config.ModeFor(in.key.Namespace); m != "" {
		mode = m
	}
	v := &verdict{mode: mode, desired: desired, violations: []drift.Change{c}}
	v.decision = finalDecision(v)
	return v
}

// subresourceViolations judges the subresources whose object is not the parent
// (scale, eviction, binding, unknown ones) and the metadata a status write
// changes, into f; it is false for requests judged as a write of the object
// itself.
func (h *Handler) subresourceViolations(f *findings, snap *gitindex.Snapshot, in *input, desired *gitindex.Object) bool {
	switch in.sub {
	case subScale:
		h.violations(f, snap, in, []drift.Change{scaleChange(in, desired)})
	case subStatus:
		h.violations(f, snap, in, metadataOnly(in.cmp.Diff(in.old, in.obj, in.cmp.DesiredOf(desired))))
		if h.merges(in) { // owners and finalizers are judged in every mode
			judgeIdentity(f, in.old, in.obj, desired.Object)
		}
	case subEviction:
		f.add(drift.Change{Path: PathDelete, Declared: true}, "")
	case subBinding:
		h.violations(f, snap, in, []drift.Change{bindingChange(in, desired)})
	case subUnknown:
		f.add(drift.Change{Path: pathUnmapped, Declared: true}, "")
	default:
		return false
	}
	return true
}

// metadataOnly keeps the changes to metadata: status is never declared, and a
// status write's other changes to the parent are dropped by the API server.
func metadataOnly(changes []drift.Change) []drift.Change {
	out := changes[:0:0]
	for _, c := range changes {
		if strings.HasPrefix(c.Path, "metadata.") {
			out = append(out, c)
		}
	}
	return out
}

// bindingChange is the change a Binding makes: the Pod's spec.nodeName.
func bindingChange(in *input, desired *gitindex.Object) drift.Change {
	target, _ := in.sent["target"].(map[string]any)
	spec, _ := desired.Object["spec"].(map[string]any)
	git, declared := spec["nodeName"]
	return drift.Change{Path: "spec.nodeName", Declared: declared && git != nil, Git: git, New: target["name"]}
}

// subresourceLine describes the changes only subresources make; ok is false for
// the others.
func subresourceLine(c drift.Change, in *input) (string, bool) {
	switch {
	case c.Path == PathDelete && in.sub == subEviction:
		return "evict: the Pod is declared in git (an eviction deletes it)", true
	case c.Path == pathUnmapped && in.sub == subUnknown:
		return fmt.Sprintf("subresource %s/%s: gitgate cannot tell what it changes, and git may declare the object", in.req.Resource.Resource, in.req.SubResource), true
	case c.Path == pathUnmapped:
		return fmt.Sprintf("resource %s: its kind is unknown to gitgate (not in discovery yet), so whether git declares it cannot be told", c.New), true
	case c.Path == pathAPIVersion:
		return fmt.Sprintf("apiVersion: git declares %s in %s; this request came as %s, which gitgate does not compare field by field against git", in.key.Kind, show(c.Git, false), show(c.New, false)), true
	}
	return "", false
}

// subresourceAdvice is the way forward after a refusal or an eviction.
func subresourceAdvice(in *input, v *verdict) (string, bool) {
	for _, c := range v.violations {
		switch {
		case c.Path == pathAPIVersion:
			return fmt.Sprintf("Write it as %s (or run gitgate with --guard-webhook-config, which registers git's versions so the API server converts yours).", c.Git), true
		case c.Path == pathUnmapped && in.sub == subUnknown:
			return "gitgate judges only the subresources it knows; ask an administrator to check gitgate's registration.", true
		case c.Path == pathUnmapped:
			return "Retry in a moment (gitgate refreshes its view of the API), or ask an administrator to check gitgate's log.", true
		case c.Path == PathDelete && in.sub == subEviction:
			return fmt.Sprintf("To remove the Pod, remove it from git at %s and push.", v.desired.Source()), true
		}
	}
	return "", false
}

package webhook

import (
	"context"
	"fmt"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// NamespaceStates tells whether a namespace is being deleted. It must answer from
// memory (an informer's cache), never with an API call on the request path.
type NamespaceStates interface {
	Terminating(ctx context.Context, namespace string) bool
}

// deleteDeclared is rule 5 for an object git declares: nobody but the sync
// identity deletes it unless it is already terminating, except a controller
// doing its job — the namespace controller inside a terminating namespace, the
// garbage collector when git declares every owner it has, the TTL controller a
// finished Job whose TTL git declares. A declared object with an owner git does
// not declare is never a controller's to delete: that owner is how anyone who
// could write the object would make the garbage collector delete it.
func (h *Handler) deleteDeclared(ctx context.Context, f *findings, in *input, desired *gitindex.Object) {
	if metaString(in.old, "deletionTimestamp") != "" {
		return
	}
	if in.actor != actorController {
		f.add(drift.Change{Path: PathDelete, Declared: true}, "")
		return
	}
	roles := rolesOf(in.req.UserInfo)
	owned, undeclared := ownersDeclared(in.old, desired.Object)
	var note string
	switch {
	case roles.has(roleTearDownNamespaces) && h.opts.Namespaces != nil && h.opts.Namespaces.Terminating(ctx, in.key.Namespace):
		return
	case len(undeclared) > 0:
		note = fmt.Sprintf("it carries %s, which git does not declare; a controller deletes a declared object only through owners git declares", strings.Join(undeclared, ", "))
	case roles.has(roleCollectGarbage) && owned:
		return
	case roles.has(roleExpireJobs) && expiredJob(in.old, desired.Object):
		return
	default:
		note = "the object is declared in git; a controller deletes it only as the garbage collector (through owners git declares), " +
			"the namespace controller (in a terminating namespace) or the TTL controller (a finished Job whose ttlSecondsAfterFinished git declares)"
	}
	f.add(drift.Change{Path: PathDelete, Declared: true}, note)
}

// expiredJob reports whether live is a finished Job and git declares its
// spec.ttlSecondsAfterFinished.
func expiredJob(live, desired map[string]any) bool {
	if live["kind"] != "Job" {
		return false
	}
	spec, _ := desired["spec"].(map[string]any)
	if _, ok := spec["ttlSecondsAfterFinished"]; !ok {
		return false
	}
	status, _ := live["status"].(map[string]any)
	conds, _ := status["conditions"].([]any)
	for _, c := range conds {
		if t := field(c, "type"); (t == "Complete" || t == "Failed") && field(c, "status") == "True" {
			return true
		}
	}
	return false
}

// holdsDeclared reports whether a request deletes a Namespace that holds objects
// git declares (itself declared or not).
func holdsDeclared(snap *gitindex.Snapshot, op admissionv1.Operation, k gitindex.Key) bool {
	return op == admissionv1.Delete && k.Group == "" && k.Kind == "Namespace" && snap.Holds(k.Name) > 0
}

// namespaceDelete judges the DELETE of a Namespace git does not declare but that
// holds declared objects: the same answer as deleting them, unless it is
// already terminating.
func namespaceDelete(snap *gitindex.Snapshot, in *input) findings {
	var f findings
	if metaString(in.old, "deletionTimestamp") != "" {
		return f
	}
	note := fmt.Sprintf("namespace %s holds %d objects git declares", in.key.Name, snap.Holds(in.key.Name))
	if first, ok := snap.InNamespace(in.key.Name); ok {
		note += fmt.Sprintf(" (%s at %s, ...)", first.Key, first.Source())
	}
	f.add(drift.Change{Path: PathDelete, Declared: true}, note+"; deleting it would delete them")
	return f
}

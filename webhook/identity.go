package webhook

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// Paths of a declared object's identity: who owns it (the garbage collector
// deletes it when they are gone) and what holds its deletion. Never an
// undeclared path that merge mode or a controller may add to.
const (
	pathOwnerReferences = "metadata.ownerReferences"
	pathFinalizers      = "metadata.finalizers"
)

// clusterFinalizers are the finalizers the API server and the cluster's own
// controllers add and remove as part of their job; any other is judged.
var clusterFinalizers = []string{
	"foregroundDeletion", "orphan", // DELETE propagation, the garbage collector
	"kubernetes.io/pv-protection", "kubernetes.io/pvc-protection", "kubernetes.io/vac-protection",
	"batch.kubernetes.io/job-tracking", "service.kubernetes.io/load-balancer-cleanup",
	"resource.kubernetes.io/delete-protection", "networking.k8s.io/service-cidr-finalizer",
}

func identityPath(p string) bool {
	return p == pathFinalizers || strings.HasPrefix(p, pathFinalizers+"[") || p == pathOwnerReferences ||
		strings.HasPrefix(p, pathOwnerReferences+"[") || strings.HasPrefix(p, pathOwnerReferences+".")
}

// judgeIdentity is "toward git or nothing" for ownerReferences and finalizers as
// wholes, for every actor and in merge mode too: a request may add only the
// owners and finalizers git declares (plus the cluster's own finalizers) and
// remove only those git does not. old is nil for a CREATE.
func judgeIdentity(f *findings, old, obj, desired map[string]any) {
	oldRefs, newRefs, gitRefs := metaList(old, "ownerReferences"), metaList(obj, "ownerReferences"), metaList(desired, "ownerReferences")
	var bad []string
	for _, r := range newRefs {
		if !containsEqual(oldRefs, r) && !declaredOwner(r, gitRefs) {
			bad = append(bad, "adds "+ownerName(r))
		}
	}
	for _, r := range oldRefs {
		if declaredOwner(r, gitRefs) && !containsEqual(newRefs, r) {
			bad = append(bad, "removes "+ownerName(r))
		}
	}
	if len(bad) > 0 {
		f.add(drift.Change{Path: pathOwnerReferences, Declared: gitRefs != nil, Git: listOrNil(gitRefs), Old: listOrNil(oldRefs), New: listOrNil(newRefs)},
			fmt.Sprintf("%s, which git does not declare (an owner lets the garbage collector delete the object)", strings.Join(bad, ", ")))
	}
	judgeFinalizers(f, old, obj, desired)
}

func judgeFinalizers(f *findings, old, obj, desired map[string]any) {
	oldF, newF, gitF := stringItems(metaList(old, "finalizers")), stringItems(metaList(obj, "finalizers")), stringItems(metaList(desired, "finalizers"))
	var bad []string
	for _, x := range newF {
		if !slices.Contains(oldF, x) && !slices.Contains(gitF, x) && !slices.Contains(clusterFinalizers, x) {
			bad = append(bad, "adds "+x)
		}
	}
	for _, x := range oldF {
		if slices.Contains(gitF, x) && !slices.Contains(newF, x) {
			bad = append(bad, "removes "+x+" (declared in git)")
		}
	}
	if len(bad) > 0 {
		f.add(drift.Change{Path: pathFinalizers, Declared: len(gitF) > 0, Git: listOrNil(metaList(desired, "finalizers")),
			Old: listOrNil(metaList(old, "finalizers")), New: listOrNil(metaList(obj, "finalizers"))},
			strings.Join(bad, ", ")+"; finalizers are judged against git in every mode")
	}
}

// declaredOwner reports whether git declares the owner r: the same group, kind
// and name, and the same uid if git names one.
func declaredOwner(r any, gitRefs []any) bool {
	for _, g := range gitRefs {
		if ownerKey(g) == ownerKey(r) {
			if uid := field(g, "uid"); uid == "" || uid == field(r, "uid") {
				return true
			}
		}
	}
	return false
}

// ownersDeclared reports whether obj has owners and git declares every one: only
// then may the garbage collector delete it.
func ownersDeclared(obj, desired map[string]any) (bool, []string) {
	refs, gitRefs := metaList(obj, "ownerReferences"), metaList(desired, "ownerReferences")
	var undeclared []string
	for _, r := range refs {
		if !declaredOwner(r, gitRefs) {
			undeclared = append(undeclared, ownerName(r))
		}
	}
	return len(refs) > 0 && len(undeclared) == 0, undeclared
}

func ownerKey(r any) string {
	gv, _ := schema.ParseGroupVersion(field(r, "apiVersion"))
	return gv.Group + "/" + field(r, "kind") + "/" + field(r, "name")
}

func ownerName(r any) string {
	return fmt.Sprintf("owner %s %s (uid %s)", field(r, "kind"), field(r, "name"), field(r, "uid"))
}

func field(m any, name string) string {
	mm, _ := m.(map[string]any)
	s, _ := mm[name].(string)
	return s
}

func metaList(obj map[string]any, name string) []any {
	meta, _ := obj["metadata"].(map[string]any)
	l, _ := meta[name].([]any)
	return l
}

func listOrNil(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l
}

func containsEqual(l []any, x any) bool {
	return slices.ContainsFunc(l, func(y any) bool { return drift.Equal(x, y) })
}

// stringItems returns the string items of l.
func stringItems(l []any) []string {
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

package revision

import (
	"path"
	"strings"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/flux"
)

// Tenants are the sync identities a revision derives from the Flux
// Kustomizations it declares: a Kustomization with spec.serviceAccountName makes
// kustomize-controller impersonate system:serviceaccount:<its namespace>:<name>
// for everything it applies and prunes, so that ServiceAccount is a sync
// identity — but only for the objects git declares in files under the
// Kustomization's spec.path. Anything else it writes is judged like anyone's.
// It maps the username to each key in its scope and the Kustomization that put
// it there.
type Tenants map[string]map[gitindex.Key]string

// tenantScope is one Kustomization that impersonates a ServiceAccount.
type tenantScope struct {
	user, dir, kustomization string
}

// deriveTenants builds the tenants of a snapshot (nil when it declares no
// Kustomization with a ServiceAccount).
func deriveTenants(s *gitindex.Snapshot) Tenants {
	if s == nil {
		return nil
	}
	objs := s.Objects()
	var scopes []tenantScope
	for _, o := range objs {
		if sc, ok := tenantScopeOf(o); ok {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		return nil
	}
	t := Tenants{}
	for _, o := range objs {
		for _, sc := range scopes {
			if !appliedBy(o, sc) {
				continue
			}
			if t[sc.user] == nil {
				t[sc.user] = map[gitindex.Key]string{}
			}
			t[sc.user][o.Key] = sc.kustomization
		}
	}
	return t
}

// appliedBy reports whether the Kustomization of sc applies o: in Flux
// rendering mode the renderer labels every object with its Kustomization (which
// also covers objects a base outside spec.path declares); otherwise o's file lies
// under the Kustomization's spec.path.
func appliedBy(o *gitindex.Object, sc tenantScope) bool {
	meta, _ := o.Object["metadata"].(map[string]any)
	labels, _ := meta["labels"].(map[string]any)
	name, _ := labels[flux.Group+"/name"].(string)
	namespace, _ := labels[flux.Group+"/namespace"].(string)
	if name != "" && namespace != "" {
		return namespace+"/"+name == sc.kustomization
	}
	return inDir(o.Path, sc.dir)
}

// tenantScopeOf reads a Kustomization's ServiceAccount and path.
func tenantScopeOf(o *gitindex.Object) (tenantScope, bool) {
	if o.Key.Group != flux.Group || o.Key.Kind != "Kustomization" {
		return tenantScope{}, false
	}
	spec, _ := o.Object["spec"].(map[string]any)
	sa, _ := spec["serviceAccountName"].(string)
	if sa == "" {
		return tenantScope{}, false
	}
	dir, _ := spec["path"].(string)
	return tenantScope{
		user:          "system:serviceaccount:" + o.Key.Namespace + ":" + sa,
		dir:           path.Clean(strings.TrimPrefix(dir, "/")),
		kustomization: o.Key.Namespace + "/" + o.Key.Name,
	}, true
}

// inDir reports whether file (relative to the repository root) is under dir.
func inDir(file, dir string) bool {
	return dir == "." || strings.HasPrefix(path.Clean(file), dir+"/")
}

// Scope returns the Kustomization that makes user a sync identity for the
// declared object key, if one does. The caller leaves subresources and requests
// without a name out: they are never in a tenant's scope.
func (t Tenants) Scope(user string, key gitindex.Key) (string, bool) {
	ks, ok := t[user][key]
	return ks, ok
}

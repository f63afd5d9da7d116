package webhook

import (
	"path"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// FluxKustomizationGroup is the API group of Flux's Kustomization.
const FluxKustomizationGroup = "kustomize.toolkit.fluxcd.io"

// fluxTenants are the sync identities a revision derives from the Flux
// Kustomizations it declares: a Kustomization with spec.serviceAccountName makes
// kustomize-controller impersonate system:serviceaccount:<its namespace>:<name>
// for everything it applies and prunes, so that ServiceAccount is a sync
// identity — but only for the objects git declares in files under the
// Kustomization's spec.path. Anything else it writes is judged like anyone's.
// It maps the username to each key in its scope and the Kustomization that put
// it there.
type fluxTenants map[string]map[gitindex.Key]string

// tenantScope is one Kustomization that impersonates a ServiceAccount.
type tenantScope struct {
	user, dir, kustomization string
}

// deriveFluxTenants builds the tenants of a snapshot (nil when it declares no
// Kustomization with a ServiceAccount).
func deriveFluxTenants(s *gitindex.Snapshot) fluxTenants {
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
	t := fluxTenants{}
	for _, o := range objs {
		for _, sc := range scopes {
			if !inDir(o.Path, sc.dir) {
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

// tenantScopeOf reads a Kustomization's ServiceAccount and path.
func tenantScopeOf(o *gitindex.Object) (tenantScope, bool) {
	if o.Key.Group != FluxKustomizationGroup || o.Key.Kind != "Kustomization" {
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

// scope returns the Kustomization that makes the request's user a sync identity
// for the object it writes, if one does. Subresources and requests without a
// name are never in a tenant's scope.
func (t fluxTenants) scope(req admission.Request) (string, bool) {
	keys, ok := t[req.UserInfo.Username]
	if !ok || req.SubResource != "" || req.Name == "" {
		return "", false
	}
	ks, ok := keys[gitindex.Key{Group: req.Kind.Group, Kind: req.Kind.Kind, Namespace: objectNamespace(req), Name: req.Name}]
	return ks, ok
}

package gitindex

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Scope tells whether a kind is namespaced. known is false when it cannot tell.
type Scope interface {
	Namespaced(gk schema.GroupKind) (namespaced, known bool)
}

// ChainScope asks each Scope in order; unknown kinds are namespaced (most custom
// resources are), which puts them in the default namespace.
type ChainScope []Scope

// Namespaced implements Scope.
func (c ChainScope) Namespaced(gk schema.GroupKind) (bool, bool) {
	for _, s := range c {
		if s == nil {
			continue
		}
		if ns, known := s.Namespaced(gk); known {
			return ns, true
		}
	}
	return true, false
}

// BuiltinScope knows the scope of the built-in Kubernetes kinds without an API
// server: every built-in kind is namespaced except these.
type BuiltinScope struct{}

var clusterScoped = map[schema.GroupKind]bool{
	{Kind: "Namespace"}: true, {Kind: "Node"}: true, {Kind: "PersistentVolume"}: true,
	{Kind: "ComponentStatus"}:                                                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:                 true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "storage.k8s.io", Kind: "VolumeAttributesClass"}:                          true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   true,
	{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "certificates.k8s.io", Kind: "ClusterTrustBundle"}:                        true,
	{Group: "resource.k8s.io", Kind: "DeviceClass"}:                                   true,
	{Group: "resource.k8s.io", Kind: "ResourceSlice"}:                                 true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   true,
}

// builtinGroups are the API groups whose kinds BuiltinScope knows.
var builtinGroups = map[string]bool{
	"": true, "apps": true, "batch": true, "autoscaling": true, "policy": true,
	"networking.k8s.io": true, "rbac.authorization.k8s.io": true, "storage.k8s.io": true,
	"apiextensions.k8s.io": true, "apiregistration.k8s.io": true, "scheduling.k8s.io": true,
	"node.k8s.io": true, "certificates.k8s.io": true, "resource.k8s.io": true,
	"flowcontrol.apiserver.k8s.io": true, "admissionregistration.k8s.io": true,
	"coordination.k8s.io": true, "discovery.k8s.io": true, "events.k8s.io": true,
}

// Namespaced implements Scope.
func (BuiltinScope) Namespaced(gk schema.GroupKind) (bool, bool) {
	if clusterScoped[gk] {
		return false, true
	}
	return true, builtinGroups[gk.Group]
}

// crdScope reads the scope of custom resources from CRDs declared in the same commit.
type crdScopeMap map[schema.GroupKind]bool

func (m crdScopeMap) Namespaced(gk schema.GroupKind) (bool, bool) {
	ns, ok := m[gk]
	return ns, ok
}

func crdScope(crds []map[string]any) crdScopeMap {
	m := crdScopeMap{}
	for _, crd := range crds {
		spec, _ := crd["spec"].(map[string]any)
		group, _ := spec["group"].(string)
		names, _ := spec["names"].(map[string]any)
		kind, _ := names["kind"].(string)
		scope, _ := spec["scope"].(string)
		if kind != "" {
			m[schema.GroupKind{Group: group, Kind: kind}] = scope != "Cluster"
		}
	}
	return m
}

// crdPlurals reads the plural resource names of CRDs declared in the commit.
func crdPlurals(crds []map[string]any) map[schema.GroupKind]string {
	m := map[schema.GroupKind]string{}
	for _, crd := range crds {
		spec, _ := crd["spec"].(map[string]any)
		group, _ := spec["group"].(string)
		names, _ := spec["names"].(map[string]any)
		kind, _ := names["kind"].(string)
		plural, _ := names["plural"].(string)
		if kind != "" && plural != "" {
			m[schema.GroupKind{Group: group, Kind: kind}] = plural
		}
	}
	return m
}

// guessPlural is the API machinery's kind → resource rule (Deployment → deployments).
func guessPlural(gk schema.GroupKind) string {
	plural, _ := meta.UnsafeGuessKindToResource(gk.WithVersion("v1"))
	return plural.Resource
}

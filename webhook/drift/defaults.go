package drift

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/json"
	smdschema "sigs.k8s.io/structured-merge-diff/v6/schema"
)

// kindDefaults fills in what the API server's defaulting (and the admission
// plugins every cluster runs) adds to an object of a built-in kind. It mirrors
// k8s.io/kubernetes' pkg/apis/*/v1 SetDefaults_* functions, which cannot be
// imported without all of Kubernetes; a default missing here is forgiven by
// Against wherever managedFields show that nobody but the server set it.
var kindDefaults = map[schema.GroupKind]func(obj map[string]any){
	{Kind: "Pod"}:                                                                   defaultPod,
	{Kind: "ReplicationController"}:                                                 defaultReplicated,
	{Kind: "Service"}:                                                               defaultService,
	{Kind: "Secret"}:                                                                func(o map[string]any) { set(o, "type", "Opaque") },
	{Kind: "PersistentVolumeClaim"}:                                                 func(o map[string]any) { defaultPVCSpec(child(o, "spec")) },
	{Kind: "Namespace"}:                                                             defaultNamespace,
	{Group: "apps", Kind: "Deployment"}:                                             defaultDeployment,
	{Group: "apps", Kind: "StatefulSet"}:                                            defaultStatefulSet,
	{Group: "apps", Kind: "DaemonSet"}:                                              defaultDaemonSet,
	{Group: "apps", Kind: "ReplicaSet"}:                                             defaultReplicated,
	{Group: "batch", Kind: "Job"}:                                                   func(o map[string]any) { defaultJobSpec(child(o, "spec")) },
	{Group: "batch", Kind: "CronJob"}:                                               defaultCronJob,
	{Group: "networking.k8s.io", Kind: "NetworkPolicy"}:                             defaultNetworkPolicy,
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:                       defaultSubjects,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                defaultSubjects,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:               defaultCRD,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}: defaultWebhookRules,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:   defaultWebhookRules,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}: func(o map[string]any) {
		set(o, "preemptionPolicy", "PreemptLowerPriority")
	},
	{Group: "storage.k8s.io", Kind: "StorageClass"}: func(o map[string]any) {
		set(o, "reclaimPolicy", "Delete")
		set(o, "volumeBindingMode", "Immediate")
	},
}

func defaultKind(gk schema.GroupKind, obj map[string]any) {
	if f := kindDefaults[gk]; f != nil {
		f(obj)
	}
}

// schemaDefaults fills in the non-zero defaults a structural schema declares (a
// CRD's `default:`s, a few built-in ones such as ports' protocol) in the maps
// obj has, as the API server does.
func schemaDefaults(n node, v any) {
	switch x := v.(type) {
	case map[string]any:
		if !n.known || n.atom.Map == nil {
			return
		}
		for _, f := range n.atom.Map.Fields {
			if _, ok := x[f.Name]; !ok {
				if d, ok := schemaDefault(f); ok {
					x[f.Name] = d
				}
			}
		}
		for k, e := range x {
			schemaDefaults(n.field(k), e)
		}
	case []any:
		e := n.elem()
		for _, it := range x {
			schemaDefaults(e, it)
		}
	}
}

// schemaDefault returns a field's default worth filling in: a non-zero scalar
// (zero values equal absent anyway) or an object, whose own fields' defaults
// then apply (a CRD's `default: {}`), as JSON values.
func schemaDefault(f smdschema.StructField) (any, bool) {
	switch d := f.Default.(type) {
	case string, bool, int, int64, float64:
		return d, !Empty(d)
	case nil, []any:
		return nil, false
	}
	b, err := json.Marshal(f.Default)
	if err != nil {
		return nil, false
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// child returns m[k] as a map, or nil.
func child(m map[string]any, k string) map[string]any {
	c, _ := m[k].(map[string]any)
	return c
}

// ensure returns m[k] as a map, creating it when absent (nil when m is nil or
// m[k] is something else).
func ensure(m map[string]any, k string) map[string]any {
	if m == nil {
		return nil
	}
	if _, ok := m[k]; !ok {
		m[k] = map[string]any{}
	}
	return child(m, k)
}

// set sets m[k] to v unless m already has k.
func set(m map[string]any, k string, v any) {
	if m == nil {
		return
	}
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// each calls f for every map item of the list m[k].
func each(m map[string]any, k string, f func(map[string]any)) {
	l, _ := m[k].([]any)
	for _, it := range l {
		if im, ok := it.(map[string]any); ok {
			f(im)
		}
	}
}

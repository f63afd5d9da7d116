// Package drift is the one comparison gitgate uses to decide whether a Kubernetes
// object matches git: the admission webhook, the applier (skip what already matches,
// self-heal), the drift scan and `gitgate check` all call it, so they can never
// disagree about what "matches git" means.
//
// # Desired state
//
// A declared object's desired state (Desired) is git's object as the API server
// would store it: Desire fills in the built-in kinds' defaults (a table mirroring
// k8s.io/kubernetes' pkg/apis/*/v1 defaulting and the admission plugins every
// cluster runs, which cannot be imported without all of Kubernetes) and the
// schema's non-zero `default:`s (a CRD's). Values the API server or a controller
// assigns (a Service's clusterIP and nodePorts, a Job's selector) are Any: every
// live value matches. Prepare computes the desired states of a revision off the
// request path, reusing those of objects the previous revision shares; DesiredOf
// looks one up (or computes it, for an object of another revision or a custom
// resource whose schema arrived since).
//
// # Comparisons
//
// Diff is the Δ of an UPDATE, each change marked Repair when it moves the path to
// its desired value or removes what the desired object does not have. Against
// compares a whole object with its desired state (a CREATE, the drift scan, the
// applier): declared values and extras (what the desired object does not have)
// alike. Where git declares nothing, Against reads the object's managedFields: a
// field no manager owns was set by the API server, and one owned only by an
// entitled manager (the applier's, the cluster controllers') is their work; neither
// is drift. The webhook entitles no manager: a requester names its own.
//
// The comparison is schema-aware. For built-in kinds the structural schema comes from
// the structured-merge-diff schema that client-go embeds (the same one server-side
// apply uses), resolved lazily per GroupVersionKind and cached; unknown kinds (custom
// resources without a schema) are compared structurally: maps field by field, lists
// as atomic values. Associative lists (containers by name, ports by containerPort and
// protocol, env by name, ...) are matched by their keys, set lists are compared as
// sets, atomic lists and maps as wholes. Values are normalized: quantities by value
// ("0.5" = "500m"), int-or-string by meaning (80 = "80"), numbers by value, and zero
// values (absent, null, "", 0, false, {} and []) are all "empty", as the API's
// omitempty encoding treats them — except map entries (labels, annotations,
// ConfigMap and Secret data), where an absent key is not "".
//
// Paths are rendered for humans and for Rego in one stable syntax:
//
//	spec.replicas
//	spec.template.spec.containers[name=nginx].image
//	spec.ports[port=80,protocol=TCP].targetPort
//	metadata.annotations["kubectl.kubernetes.io/restartedAt"]
//
// Server-managed noise is never compared: apiVersion, kind, status, and
// metadata.{resourceVersion, generation, uid, creationTimestamp, managedFields,
// selfLink, deletionTimestamp, deletionGracePeriodSeconds} and the
// kubectl.kubernetes.io/last-applied-configuration annotation.
package drift

// Package drift is the one comparison gitgate uses to decide whether a Kubernetes
// object matches git: the admission webhook, the applier (skip what already matches,
// self-heal), the drift scan and `gitgate check` all call it, so they can never
// disagree about what "matches git" means.
//
// The comparison is schema-aware. For built-in kinds the structural schema comes from
// the structured-merge-diff schema that client-go embeds (the same one server-side
// apply uses), resolved lazily per GroupVersionKind and cached; unknown kinds (custom
// resources without a schema) are compared structurally: maps field by field, lists
// as atomic values. Associative lists (containers by name, ports by containerPort and
// protocol, env by name, ...) are matched by their keys, set lists are compared as
// sets, atomic lists as wholes. Values are normalized: quantities by value
// ("0.5" = "500m"), int-or-string by meaning (80 = "80"), numbers by value, and zero
// values (absent, null, "", 0, false, {} and []) are all "empty", as the API's
// omitempty encoding treats them.
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

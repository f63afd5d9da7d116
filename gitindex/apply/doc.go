// Package apply is gitgate's built-in applier: it makes the cluster match a
// gitindex.Snapshot (git's HEAD) with server-side apply, as the sync identity
// whose requests the admission webhook lets through.
//
// One Applier, files split by verb: Apply (applier.go, object.go) applies
// every object of a snapshot once and returns a Result; the prune
// (prune.go), the CRD wait (wait.go), the inventory (inventory.go) and health
// (health.go) are its steps. `gitgate serve --apply` runs Apply in a
// revision.Loop on the leader: on start, on every new revision and every
// --apply-interval.
//
// # Apply
//
// Objects apply in stages, like Flux: CustomResourceDefinitions first, then
// the CRDs are waited for (condition Established and the kind served by
// discovery, within Options.WaitTimeout), then Namespaces, then other
// cluster-scoped objects, then namespaced objects; in each stage in the
// snapshot's order (path, line). So a custom resource may sit in the same
// commit as its CRD.
//
// Each object is read live and compared with its desired state (git's object as
// the API server stores it, plus the management label gitgate.dev/managed:
// "true") through drift.Comparer.Against: the same comparison the webhook uses.
// An object that matches is left alone (action "unchanged": no write, no
// resourceVersion churn). One that drifted is healed (action "configured", Diff
// lists what was repaired): what git does not declare and someone other than the
// applier (Options.FieldManager) and the cluster's controllers set (an extra env
// var, a sidecar, a changed default) is removed with one JSON patch conditional
// on the resourceVersion read, since server-side apply never removes fields other
// managers own; then git's object is server-side applied with forced ownership. A
// missing object is created. A field removed from git is not drift either: the
// inventory keeps a hash of git's version of each object, and an object whose
// version in git changed is applied again, which removes the field gitgate no
// longer applies.
//
// Annotations in git, per object:
//
//	gitgate.dev/apply: create-only   create if missing, never update ("skipped")
//	gitgate.dev/prune: disabled      never delete when it leaves git
//
// A failing object does not stop the others; Apply then returns the complete
// Result and an *ApplyError that unwraps to every failure. An empty snapshot
// is refused: it would prune everything.
//
// # Inventory and prune
//
// The inventory, JSON in a ConfigMap (Options.InventoryNamespace and
// InventoryName), records every object of the last applied snapshot: key,
// apiVersion, git's hash and whether it said prune: disabled. With
// Options.Prune, an object in the inventory but no longer in the snapshot is
// deleted with background propagation, custom resources before CRDs, unless
// its last applied version said prune: disabled, and only if the live object
// still carries the management label: gitgate never deletes what it did not
// create, whatever the (editable) inventory says. A failed delete stays in the
// inventory and is retried on the next Apply. An unreadable inventory stops the
// prune and is not overwritten.
//
// # Dry run
//
// With Options.DryRun nothing is written: objects are reported as
// "would-create", "would-configure" (Diff holds the declared paths that differ)
// or "would-prune". Custom resources of CRDs not yet in the cluster are
// reported as "would-create".
//
// # Health
//
// ObjectResult.Status is the kstatus (sigs.k8s.io/cli-utils) of the live
// object after the action. Metrics (NewMetrics) expose the overall state:
// gitgate_apply_last_success_timestamp_seconds, gitgate_apply_objects{action},
// gitgate_apply_errors_total, gitgate_apply_commit_info{commit} and
// gitgate_apply_duration_seconds. Progress is logged through the logr logger
// of the context.
package apply

# Built-in default policies of gitgate. They are compiled next to the
# repository's policies unless Options.DisableBuiltins is set, and each one can
# be turned off from the repository by listing its id in
# data.gitgate.config.disable_builtin.
package gitgate.builtin

known_ids := {"rollout-restart", "flux-reconcile", "hpa-replicas", "break-glass"} # hpa-replicas: retired, accepted as a no-op

# The repository's configuration, data.gitgate.config, is read with
# object.get so that the type checker accepts any shape; a wrong shape is
# reported by config_errors, which Compile checks (a misconfiguration only
# ever leaves a builtin less permissive or fails the evaluation).
disabled contains id if some id in object.get(data.gitgate.config, "disable_builtin", [])

default disable_ids := []

disable_ids := object.get(data.gitgate.config, "disable_builtin", [])

config_errors contains "data.gitgate.config.disable_builtin must be a set or an array of builtin ids" if {
	not is_set(disable_ids)
	not is_array(disable_ids)
}

config_errors contains msg if {
	some id in disabled
	not id in known_ids
	msg := sprintf("data.gitgate.config.disable_builtin: unknown builtin %s (known: %v)", [json.marshal(id), known_ids])
}

# rollout-restart: `kubectl rollout restart` stamps the pod template with a
# restartedAt annotation that git never declares.
exceptions contains {
	"id": "rollout-restart",
	"reason": "kubectl rollout restart only stamps the pod template with restartedAt",
	"paths": [`spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]`],
} if not disabled["rollout-restart"]

# flux-reconcile: `flux reconcile` asks a Flux object (a Kustomization,
# HelmRelease, GitRepository…) for a reconciliation now by stamping it with
# reconcile.fluxcd.io/requestedAt (`--force` and `--reset` on a HelmRelease:
# forceAt, resetAt); what the object declares does not change.
exceptions contains {
	"id": "flux-reconcile",
	"reason": "flux reconcile only stamps the object with a reconcile request",
	"paths": [
		`metadata.annotations["reconcile.fluxcd.io/requestedAt"]`,
		`metadata.annotations["reconcile.fluxcd.io/forceAt"]`,
		`metadata.annotations["reconcile.fluxcd.io/resetAt"]`,
	],
} if {
	not disabled["flux-reconcile"]
	endswith(input.request.kind.group, ".toolkit.fluxcd.io")
}

# hpa-replicas is retired: it trusted a username, so anyone who could act as
# that ServiceAccount (or make an HPA) moved a git-declared spec.replicas, and it
# missed the HPA controller running as system:kube-controller-manager. gitgate
# now derives the ownership from git itself: an HPA declared in git owns its
# declared target's spec.replicas within git's minReplicas..maxReplicas, for the
# HPA controller only. The id stays known, so a repository that disables it
# still compiles; disabling it does nothing.

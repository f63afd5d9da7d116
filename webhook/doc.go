// Package webhook is gitgate's admission.Handler: it turns an AdmissionRequest into
// a decision against the current git revision and answers with a message a human
// can act on.
//
// The request path does no I/O: the revision (snapshot, compiled policy and
// comparison; see package revision) is read from one atomic pointer, the
// comparison is webhook/drift, Rego is evaluated only when there is drift to
// except, and audit records are queued without blocking. Decide is the same
// decision without serving (no audit, metrics or events): `gitgate check`.
//
// Decision semantics (README.md, "What gitgate decides"):
//   - the sync identity (exact username) is always allowed;
//   - cluster controllers, by exact identity (kube-controller-manager's
//     per-controller ServiceAccounts or system:kube-controller-manager, the
//     scheduler, kubelets, --controller-user), are held to git's declared paths
//     (merge mode) and may create undeclared objects; each deletes a declared
//     object only as its role allows: the garbage collector when git declares
//     every owner, the namespace controller inside a terminating namespace, the
//     TTL controller a finished Job whose TTL git declares;
//   - a declared HPA owns its declared target's spec.replicas within git's
//     min..max: only the HPA controller moves it, humans never;
//   - ownerReferences and finalizers are judged in every mode, for controllers
//     too (the cluster's own finalizers excepted); a Namespace that holds
//     declared objects may not be deleted unless it is already terminating;
//   - everyone else: UPDATE "toward git or nothing" over Δ(old, new); scale as an
//     update of spec.replicas; CREATE of a managed object must match git; CREATE of
//     an unmanaged object of a kind git manages in a namespace git governs is denied
//     unless --unknown=allow; DELETE of a managed object is denied unless it is
//     already terminating; nobody but the sync identity adds or alters gitgate's
//     own gitgate.dev/ labels and annotations.
//
// Violations are drift items; Rego exceptions may cover them. The mode (enforce,
// warn, audit; per namespace from .gitgate.yaml) decides whether uncovered drift
// is denied, warned about or only audited.
package webhook

// Package policy compiles the Rego policies kept in the git repository into
// an Engine that decides which drift a request may keep: the exceptions to
// "git is the only way to change what git declares".
//
// Policies are Rego v1 modules. Compile compiles the modules of one commit
// (plus gitgate's built-in defaults) into one prepared query; the webhook
// calls Engine.Evaluate only for requests that drift from git, and denies on
// any error: an error never opens the gate.
//
// # Documents a policy defines
//
// All three are optional, may be partial sets or arrays, and are empty when
// undefined:
//
//   - data.gitgate.exceptions: objects with
//     id (string, required), reason (string, required),
//     paths (array of strings; absent = every drift path, empty = none),
//     expires (RFC 3339 string; absent = never) and break_glass (bool).
//     Any other key, or a missing id or reason, is an evaluation error, so
//     that a misspelt "paths" or "expires" cannot widen an exception.
//   - data.gitgate.deny: messages that deny the request even if every drift
//     item is covered.
//   - data.gitgate.warn: messages returned as admission warnings.
//
// A paths entry covers a drift path if it is equal to it, if it is a prefix
// of it ending at a path boundary ("spec.template" covers
// "spec.template.spec.containers[name=nginx].image"; the boundary is "." or
// "["), or if it ends in "*" and the rest is a plain string prefix
// ("metadata.labels.team*"). An exception whose expires is at or before
// input.now covers nothing and is reported in Result.Expired.
//
// # The input document
//
//	{
//	  "request": {"operation", "subResource", "userInfo": {"username", "uid",
//	              "groups", "extra"}, "dryRun", "kind": {"group", "version",
//	              "kind"}, "namespace", "name", "annotations"},
//	  "object", "oldObject", "desired",   // desired is git's object
//	  "drift": [{"path", "declared", "git", "old", "new"}],
//	  "commit", "source", "now"           // now is RFC 3339
//	}
//
// See Input for the meaning of each field. Map keys that are not plain
// identifiers appear in drift paths quoted in brackets:
// metadata.annotations["example.com/owner"].
//
// # Confinement
//
// Repository policies compile against OPA's builtins minus those that do
// I/O, read the host, or are not deterministic: http.send, every net.*
// builtin, opa.runtime, json.match_schema and json.verify_schema (remote
// $ref), time.now_ns (use input.now), rand.intn, uuid.rfc4122 and
// rego.parse_module. Calling one fails Compile with an error naming the file,
// line and reason. Builtin errors are strict (an invalid argument is an
// error, not an undefined result), and each evaluation is bounded by
// Options.Deadline and its input by Options.MaxInputBytes.
//
// Compile also evaluates the policies once on a minimal request: a policy
// that fails whatever the request (a conflict between complete rules, a
// constant exception without a reason, an invalid configuration) rejects
// the commit instead of denying every request.
//
// Files ending in _test.rego are compiled (a broken test rejects the commit)
// but Evaluate never sees what they define. RunTests runs their test_ rules
// as `opa test` does.
//
// # Built-in default policies
//
// Unless Options.DisableBuiltins is set, these exceptions ship with gitgate
// (source: builtin/*.rego, package gitgate.builtin, which repositories may
// not define):
//
//   - rollout-restart covers
//     spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"],
//     the only change `kubectl rollout restart` makes.
//   - flux-reconcile covers the reconcile.fluxcd.io/requestedAt, forceAt and
//     resetAt annotations on objects of *.toolkit.fluxcd.io groups, the only
//     change `flux reconcile` makes.
//   - break-glass, described below; off until the repository names groups.
//
// The id hpa-replicas is retired (it trusted a username; the webhook now
// derives from git that a declared HPA owns its declared target's
// spec.replicas) and is accepted in disable_builtin as a no-op.
//
// A repository turns any of them off by listing its id in
// data.gitgate.config.disable_builtin (a set or an array), for example:
//
//	package gitgate.config
//
//	disable_builtin contains "rollout-restart"
//
// or, from package gitgate, `config.disable_builtin contains "rollout-restart"`.
// An unknown id fails Compile, so a typo cannot leave a builtin on.
//
// # Break-glass
//
// Break-glass lets a member of a configured group override git for a
// bounded time without a commit. The repository enables it with
//
//	package gitgate.config
//
//	break_glass := {
//		"groups": ["sre-oncall"],        // required; no groups = disabled
//		"ttl": "4h",                     // longest window; default "4h"
//		"ticket_pattern": "^INC-[0-9]+$" // default ^[A-Z][A-Z0-9]+-[0-9]+$
//	}
//
// and the person breaking glass sets two annotations on the new object:
//
//	gitgate.dev/break-glass: "INC-1234: checkout is down, scaling by hand"
//	gitgate.dev/break-glass-until: "2030-06-01T16:00:00Z"
//
// The first is "<ticket>: <reason>"; the second is an RFC 3339 time at most
// ttl after input.now. The exception (id "break-glass:<ticket>",
// break_glass true) then covers every drift item of that request (including
// the annotations themselves) until that time; after it, it appears in
// Result.Expired and the drift is denied again. An attempt that does not
// qualify (bad format, user not in a group, deadline missing or too far) is
// not applied and explains why in Result.Warn. The annotations are read
// from input.request.annotations, which the caller fills with what the
// request itself sets or changes: every change must carry its own ticket (a
// later change of an object still annotated is not covered), and a DELETE,
// which sets none, cannot break glass. The applier leaves an object in a live
// window alone only as far as Engine.BreakGlassWindow of the same revision
// allows: never beyond the ttl, and not at all when break-glass is off.
package policy

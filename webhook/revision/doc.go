// Package revision is the one place where a git commit becomes something gitgate
// can judge with: a Revision holds one commit's snapshot, the policy compiled from
// the same commit, the schemas of the kinds it declares and the comparison
// configured from them. New builds one (and Refresh the same commit again once a
// schema it lacked is served); serve, check, drift, apply and the benchmark all
// build their revisions through it, so they can never disagree about what
// "matches git" means.
//
// A Store publishes the current revision (one atomic pointer: the webhook's
// request path reads it without locks) and notifies subscribers when a new one
// is published. A Loop is the shape of gitgate's background work over revisions: it runs a
// pass with the current revision when it starts, on every new revision and every
// interval, and logs a failed pass in one place.
//
// A revision is immutable. The schemas of custom resources are resolved when it
// is built and never change for its life; when a schema the cluster did not
// serve yet arrives, Refresh builds a new revision of the same commit, which the
// Store publishes like any other.
package revision

// Package certs generates and rotates the serving certificate of gitgate's
// admission webhook and keeps the API server's trust in it current.
//
// The layout is the one controller-runtime's webhook server expects: a
// directory holding tls.crt and tls.key (plus ca.crt), which its certwatcher
// reloads when the files change. The source of truth is a kubernetes.io/tls
// Secret that also holds the CA (ca.crt, ca.key), so every replica serves a
// certificate from the same CA and the single caBundle of the
// ValidatingWebhookConfiguration trusts all of them.
//
// A [Bundle] is plain PEM; [Generate], [Renew], [Parse] and [NeedsRenewal] are
// pure functions of a bundle, options and a clock. [Rotator] ties them to the
// cluster: it creates the Secret if missing, renews the serving certificate in
// the last third of its lifetime, writes the cert directory only when its
// content changes and injects the CA bundle into the webhook configuration.
//
// # CA rollover
//
// The CA is rolled over in the last third of its own lifetime without a
// window in which the API server distrusts the serving certificate: a new CA
// is put first in ca.crt (and so in the caBundle) while the previous CA stays
// after it until it expires. The serving certificate keeps its old signer
// until its own renewal, which is then signed by the new CA. ca.crt may
// therefore hold more than one certificate; the first is the signing CA, and
// ca.key is its key.
//
// # Wiring
//
// The webhook server reads its certificate when it starts, and the manager
// starts webhook servers before other runnables, so the command calls
// [Rotator.Reconcile] once before starting the manager and then adds the
// Rotator with mgr.Add. Every replica runs it ([Rotator.NeedLeaderElection]
// is false): each one has its own cert directory, an emptyDir rather than a
// mounted Secret, which would be read-only.
//
// The Rotator's client must read from the API server, not from the manager's
// cache: a cached Get of a Secret would watch every Secret in the cluster,
// and the cache is not running before the manager starts. Use a client from
// client.New. It needs get, create and update on the Secret and get and
// update on the ValidatingWebhookConfiguration.
package certs

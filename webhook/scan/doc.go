// Package scan finds drift that admission cannot see: changes made while gitgate was
// down, failing open or not yet installed, or through a path admission does not
// cover. It lists the live objects git declares and compares each with git through
// webhook/drift — the same comparison the webhook uses — and can publish the result
// as PolicyReport objects (wgpolicyk8s.io/v1alpha2, as Policy Reporter and Kyverno
// read them).
package scan

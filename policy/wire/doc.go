// Package wire defines, once, the JSON shapes that gitgate's two documented
// contracts share: the policy input (package policy, whose Input holds them)
// and the audit record (package webhook/audit). Who made a request (User),
// which kind it touched (GVK) and a field that differs from git (DriftItem)
// therefore read the same in a policy and in the audit log, and the webhook
// builds each once for both. It imports nothing, so that both contracts may
// use it without depending on each other.
package wire

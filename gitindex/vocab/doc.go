// Package vocab is gitgate's vocabulary on Kubernetes objects, in one place:
// the gitgate.dev/ labels and annotations that the applier writes and reads,
// that users set (break-glass) and that the webhook guards, and gitgate's
// field manager name. It imports nothing, so that every package may import it;
// it lives under gitindex, the lowest package all its users already import.
//
// The built-in Rego (policy/builtin/breakglass.rego) spells the break-glass
// annotations out; a test of package policy checks they match.
package vocab

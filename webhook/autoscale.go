package webhook

import (
	"fmt"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// judgeReplicas decides a change of spec.replicas on an object whose replicas an
// HPA in git owns: the HPA controller (whatever identity kube-controller-manager
// gives it) may move it within git's minReplicas..maxReplicas; nobody else may
// move it at all, not even to git's spec.replicas, which is then only the
// initial value.
func judgeReplicas(f *findings, in *input, c drift.Change, a gitindex.Autoscaling) {
	n, whole := wholeNumber(c.New)
	if rolesOf(in.req.UserInfo).has(roleAutoscale) && whole && a.Allows(n) {
		return
	}
	f.add(c, fmt.Sprintf("owned by %s (git: %s): only the HPA controller moves it, within %d..%d; request has %s",
		a.HPA, a.Source, a.Min, a.Max, show(c.New, false)))
}

// wholeNumber reads a replica count as decoded from JSON.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}

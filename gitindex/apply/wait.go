package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// pollInterval is how often waitForCRDs looks again.
const pollInterval = 200 * time.Millisecond

// waitForCRDs waits until every CRD of the commit is Established and its kind
// is served (discovery lags behind the condition), within WaitTimeout, so that
// the custom resources of the same commit can apply next. The CRDs' results
// get the status they have once waited for.
func (r *run) waitForCRDs(ctx context.Context, crds []*gitindex.Object) {
	ctx, cancel := context.WithTimeout(ctx, r.a.opts.WaitTimeout)
	defer cancel()
	for _, o := range crds {
		u, err := r.a.waitForCRD(ctx, o)
		if err != nil {
			r.fail(fmt.Errorf("wait for %s: %w", o.Key, err))
		}
		for i := range r.res.Objects {
			if res := &r.res.Objects[i]; res.Key == o.Key && res.Err == nil && u != nil {
				res.Status, res.Message = health(u)
			}
		}
	}
}

func (a *Applier) waitForCRD(ctx context.Context, o *gitindex.Object) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(o.GroupVersionKind())
	var last error
	err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
		if last = a.c.Get(ctx, client.ObjectKey{Name: o.Name}, u); last != nil {
			return false, nil
		}
		if !established(u) {
			last = errors.New("condition Established is not True")
			return false, nil
		}
		gk, versions := servedKind(u)
		if _, last = a.c.RESTMapper().RESTMapping(gk, versions...); last != nil {
			a.resetMapper()
			return false, nil
		}
		return true, nil
	})
	if err != nil && last != nil {
		err = fmt.Errorf("%w (last: %v)", err, last)
	}
	if u.Object["status"] == nil {
		u = nil // never read: keep the status of the apply
	}
	return u, err
}

// established reports whether a live CRD's Established condition is True.
func established(crd *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Established" {
			return m["status"] == "True"
		}
	}
	return false
}

// servedKind returns the GroupKind a CRD defines and its served versions.
func servedKind(crd *unstructured.Unstructured) (schema.GroupKind, []string) {
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
	vs, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	var versions []string
	for _, v := range vs {
		m, _ := v.(map[string]any)
		if name, _ := m["name"].(string); name != "" && m["served"] == true {
			versions = append(versions, name)
		}
	}
	return schema.GroupKind{Group: group, Kind: kind}, versions
}

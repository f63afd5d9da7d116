package apply

import (
	"context"
	"sort"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex/vocab"
)

// prune deletes the objects of the inventory that left git, in the reverse
// order of the apply stages (custom resources before their CRDs).
func (r *run) prune(ctx context.Context) {
	var gone []entry
	for k, e := range r.old.entries {
		if _, ok := r.snap.Lookup(k); !ok {
			gone = append(gone, e)
		}
	}
	sort.Slice(gone, func(i, j int) bool {
		si, sj := stageOf(gone[i].Key()), stageOf(gone[j].Key())
		if si != sj {
			return si > sj
		}
		return gone[i].Key().String() < gone[j].Key().String()
	})
	log := logr.FromContextOrDiscard(ctx)
	for _, e := range gone {
		if e.PruneDisabled {
			log.Info("object left git with prune disabled, kept", "object", e.Key().String())
			continue
		}
		res, keep := r.pruneOne(ctx, e)
		if keep {
			r.kept = append(r.kept, e)
		}
		if res != nil {
			r.add(ctx, *res)
		}
	}
}

// pruneOne deletes one object that left git if gitgate manages it. It returns
// the result to report (nil when there is nothing to say) and whether the
// entry stays in the inventory to be retried.
func (r *run) pruneOne(ctx context.Context, e entry) (*ObjectResult, bool) {
	res := ObjectResult{Key: e.Key(), APIVersion: e.APIVersion}
	gv, err := schema.ParseGroupVersion(e.APIVersion)
	if err != nil { // a hand-edited entry: it can never succeed, drop it
		res = failed(res, "prune", e.Key(), err)
		return &res, false
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gv.WithKind(e.Kind))
	u.SetNamespace(e.Namespace)
	u.SetName(e.Name)
	live, err := r.a.get(ctx, u)
	switch {
	case meta.IsNoMatchError(err) || err == nil && (live == nil || live.GetDeletionTimestamp() != nil):
		return nil, false // gone, going, or its kind is gone
	case err != nil:
		res = failed(res, "prune", e.Key(), err)
		return &res, true
	case live.GetLabels()[vocab.ManagedLabel] != vocab.ManagedValue:
		logr.FromContextOrDiscard(ctx).Info("not pruning an object without gitgate's management label",
			"object", e.Key().String(), "label", vocab.ManagedLabel)
		return nil, false
	case r.a.opts.DryRun:
		res.Action = ActionWouldPrune
		return &res, true
	}
	uid := live.GetUID()
	err = r.a.c.Delete(ctx, live, client.PropagationPolicy(metav1.DeletePropagationBackground),
		client.Preconditions{UID: &uid})
	switch {
	case apierrors.IsNotFound(err) || apierrors.IsConflict(err): // deleted, or replaced by another object meanwhile
		return nil, false
	case err != nil:
		res = failed(res, "prune", e.Key(), err)
		return &res, true
	}
	res.Action = ActionPruned
	r.res.Pruned = append(r.res.Pruned, e.Key())
	return &res, false
}

package apply

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// applyObject makes one object match git, or reports what that would take.
func (r *run) applyObject(ctx context.Context, o *gitindex.Object) ObjectResult {
	res := ObjectResult{Key: o.Key, APIVersion: o.APIVersion}
	desired := desiredObject(o)
	gitHash := hashOf(o)
	r.applied = append(r.applied, entryFor(o, r.old.hashOf(o.Key))) // the old hash until it succeeds
	live, err := r.a.get(ctx, desired)
	if err != nil {
		return failed(res, "get", o.Key, err)
	}
	pinned := leaveOwned(desired, live, r.snap.Owners(o.Key), r.a.opts.FieldManager)
	res.Action, res.Diff = r.plan(o, live, gitHash)
	if res.Action == ActionConfigured {
		if err := r.a.heal(ctx, live, res.Diff); err != nil {
			return failed(res, "heal", o.Key, err)
		}
		if pinned && len(removable(res.Diff)) > 0 { // healing moved the resourceVersion on
			desired.SetResourceVersion("")
		}
	}
	if res.Action == ActionCreated || res.Action == ActionConfigured {
		if live, err = r.a.write(ctx, desired, isCreateOnly(o)); err != nil {
			return failed(res, "apply", o.Key, err)
		}
	}
	if !r.a.opts.DryRun {
		r.applied[len(r.applied)-1].Hash = gitHash
	}
	res.Status, res.Message = health(live)
	return res
}

// plan decides what to do with one object, using the one comparison: an object
// that matches its desired state (git's object as the API server stores it,
// management label included, nothing added by anyone but the applier and the
// cluster's controllers) is left alone, unless git changed since gitgate last
// applied it (a field removed from git, which server-side apply removes).
func (r *run) plan(o *gitindex.Object, live *unstructured.Unstructured, gitHash string) (Action, []drift.Change) {
	var liveObj map[string]any
	if live != nil {
		liveObj = live.Object
	}
	d := withManagedLabel(r.a.opts.Comparer.DesiredOf(o))
	changes := r.a.opts.Comparer.Against(liveObj, d, r.a.entitled()...)
	changes = drift.Unowned(changes, r.snap.Owners(o.Key)) // an owner's fields are not the applier's to revert
	dry := r.a.opts.DryRun
	switch {
	case live != nil && isCreateOnly(o):
		return ActionSkipped, nil
	case live != nil && len(changes) > 0 && breakGlassActive(live.Object, time.Now(), r.window):
		return ActionSkipped, changes // reverted once the break-glass window ends
	case live != nil && len(changes) == 0 && !r.old.changed(o.Key, gitHash):
		return ActionUnchanged, nil
	case live == nil && dry:
		return ActionWouldCreate, changes
	case dry:
		return ActionWouldConfigure, changes
	case live == nil:
		return ActionCreated, nil
	}
	return ActionConfigured, changes
}

// MaxBreakGlass bounds how far ahead a break-glass window is honoured, whatever
// the policy says.
const MaxBreakGlass = 24 * time.Hour

// breakGlassActive reports whether the live object is inside a break-glass window
// no longer than window (the policy's ttl; 0: break-glass is off, so never):
// self-heal leaves it alone until the window ends, then reverts it to git.
func breakGlassActive(live map[string]any, now time.Time, window time.Duration) bool {
	if window <= 0 || annotation(live, vocab.BreakGlassAnnotation) == "" {
		return false
	}
	until, err := time.Parse(time.RFC3339, annotation(live, vocab.BreakGlassUntilAnnotation))
	return err == nil && now.Before(until) && until.Sub(now) <= min(window, MaxBreakGlass)
}

func isCreateOnly(o *gitindex.Object) bool {
	return annotation(o.Object, vocab.ApplyAnnotation) == vocab.CreateOnly
}

func failed(res ObjectResult, verb string, k gitindex.Key, err error) ObjectResult {
	res.Action = ActionFailed
	res.Err = fmt.Errorf("%s %s: %w", verb, k, err)
	return res
}

// serverFields are metadata the API server owns; copied from a live object
// into git they would make server-side apply fail or conflict.
var serverFields = []string{"resourceVersion", "uid", "generation", "creationTimestamp", "managedFields", "selfLink"}

// desiredObject is git's object with gitgate's management label, as applied.
func desiredObject(o *gitindex.Object) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: drift.DeepCopyMap(o.Object)}
	for _, f := range serverFields {
		unstructured.RemoveNestedField(u.Object, "metadata", f)
	}
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[vocab.ManagedLabel] = vocab.ManagedValue
	u.SetLabels(labels)
	return u
}

// get returns the live object in the version of obj, nil if it does not exist.
// A kind the API server does not serve yet (a CRD of this commit, in a dry run
// where nothing was applied) does not exist either.
func (a *Applier) get(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	live, err := a.getOnce(ctx, obj.GroupVersionKind(), client.ObjectKeyFromObject(obj))
	if meta.IsNoMatchError(err) {
		a.resetMapper()
		live, err = a.getOnce(ctx, obj.GroupVersionKind(), client.ObjectKeyFromObject(obj))
	}
	switch {
	case apierrors.IsNotFound(err), meta.IsNoMatchError(err) && a.opts.DryRun:
		return nil, nil
	case err != nil:
		return nil, err
	}
	return live, nil
}

func (a *Applier) getOnce(ctx context.Context, gvk schema.GroupVersionKind, key client.ObjectKey) (*unstructured.Unstructured, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(gvk)
	if err := a.c.Get(ctx, key, live); err != nil {
		return nil, err
	}
	return live, nil
}

// write server-side applies desired, forcing ownership of git's fields, and
// returns the live object the API server answered with. A create-only object
// is created, never applied over an existing one.
func (a *Applier) write(ctx context.Context, desired *unstructured.Unstructured, createOnly bool) (*unstructured.Unstructured, error) {
	u := desired.DeepCopy()
	if createOnly { // only reached when missing
		err := a.c.Create(ctx, u, client.FieldOwner(a.opts.FieldManager))
		return u, err
	}
	err := a.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.ForceOwnership, client.FieldOwner(a.opts.FieldManager))
	return u, err
}

// annotation returns one of git's annotations of obj.
func annotation(obj map[string]any, name string) string {
	md, _ := obj["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	s, _ := ann[name].(string)
	return s
}

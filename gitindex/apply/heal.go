package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex/vocab"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// entitled are the field managers whose additions to a declared object are not
// drift: the applier's own and the cluster's controllers'.
func (a *Applier) entitled() []string {
	return append([]string{a.opts.FieldManager}, drift.ClusterManagers...)
}

// heal removes from the live object what git does not declare and someone other
// than the applier and the cluster's controllers set: the extras (a sidecar, an
// env var added by `kubectl set env`) and defaults someone changed, which the API
// server then defaults again. Server-side apply alone never removes fields other
// managers own. The JSON patch is conditional on the resourceVersion read, so a
// concurrent change fails it (retried on the next Apply) instead of removing the
// wrong list item.
func (a *Applier) heal(ctx context.Context, live *unstructured.Unstructured, changes []drift.Change) error {
	ptrs := removable(changes)
	if live == nil || len(ptrs) == 0 {
		return nil
	}
	ops := []map[string]any{{"op": "test", "path": "/metadata/resourceVersion", "value": live.GetResourceVersion()}}
	for _, p := range ptrs {
		ops = append(ops, map[string]any{"op": "remove", "path": p})
	}
	patch, err := json.Marshal(ops)
	if err != nil {
		return fmt.Errorf("encode patch: %w", err)
	}
	u := live.DeepCopy()
	if err := a.c.Patch(ctx, u, client.RawPatch(types.JSONPatchType, patch), client.FieldOwner(a.opts.FieldManager)); err != nil {
		return fmt.Errorf("remove %d field(s) git does not declare: %w", len(ptrs), err)
	}
	return nil
}

// removable returns the pointers to remove, later list items first so that
// earlier indices stay valid.
func removable(changes []drift.Change) []string {
	var out []string
	for _, c := range changes {
		if c.Pointer != "" && !strings.HasPrefix(c.Pointer, "/metadata/labels/"+escapedManagedLabel) {
			out = append(out, c.Pointer)
		}
	}
	sort.Slice(out, func(i, j int) bool { return pointerLess(out[j], out[i]) })
	return out
}

var escapedManagedLabel = strings.ReplaceAll(vocab.ManagedLabel, "/", "~1")

// pointerLess orders JSON pointers segment by segment, list indices by number.
func pointerLess(a, b string) bool {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		ai, aerr := strconv.Atoi(as[i])
		bi, berr := strconv.Atoi(bs[i])
		if aerr == nil && berr == nil {
			return ai < bi
		}
		return as[i] < bs[i]
	}
	return len(as) < len(bs)
}

// withManagedLabel is the desired state as the applier applies it: with
// gitgate's management label, declared.
func withManagedLabel(d *drift.Desired) *drift.Desired {
	out := *d
	out.Object = labelled(d.Object)
	out.Git = labelled(d.Git)
	return &out
}

// labelled returns obj with vocab.ManagedLabel set, copying only the maps on the way.
func labelled(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	meta := map[string]any{}
	if m, ok := obj["metadata"].(map[string]any); ok {
		for k, v := range m {
			meta[k] = v
		}
	}
	labels := map[string]any{}
	if l, ok := meta["labels"].(map[string]any); ok {
		for k, v := range l {
			labels[k] = v
		}
	}
	labels[vocab.ManagedLabel] = vocab.ManagedValue
	meta["labels"] = labels
	out["metadata"] = meta
	return out
}

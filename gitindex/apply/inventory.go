package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/vocab"
)

// InventoryKey is the ConfigMap data key holding the inventory JSON.
const InventoryKey = "inventory.json"

// Inventory is the JSON document gitgate keeps in the inventory ConfigMap: what
// it applied, so that it can prune what leaves git. Humans may edit it; an
// entry only ever leads to a delete if the live object carries vocab.ManagedLabel.
type Inventory struct {
	// Commit is the commit last applied.
	Commit  string           `json:"commit,omitempty"`
	Objects []InventoryEntry `json:"objects"`
}

// InventoryEntry records one object gitgate applied.
type InventoryEntry struct {
	Group      string `json:"group,omitempty"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	APIVersion string `json:"apiVersion"`
	// Hash identifies git's version of the object last applied; a new hash
	// re-applies the object even if the comparison finds no drift.
	Hash string `json:"hash,omitempty"`
	// PruneDisabled records that the version last applied said
	// gitgate.dev/prune: disabled.
	PruneDisabled bool `json:"pruneDisabled,omitempty"`
}

// Key returns the entry's object key.
func (e InventoryEntry) Key() gitindex.Key {
	return gitindex.Key{Group: e.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}
}

type entry = InventoryEntry

func entryFor(o *gitindex.Object, hash string) entry {
	return entry{
		Group: o.Group, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, APIVersion: o.APIVersion,
		Hash: hash, PruneDisabled: annotation(o.Object, vocab.PruneAnnotation) == vocab.PruneDisabled,
	}
}

// hashOf identifies git's version of an object ("" if it cannot be encoded,
// which makes it always look changed).
func hashOf(o *gitindex.Object) string {
	b, err := json.Marshal(o.Object) // map keys are sorted: stable
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// inventory is the inventory read at the start of an Apply.
type inventory struct {
	raw     string
	entries map[gitindex.Key]entry
}

func (inv inventory) hashOf(k gitindex.Key) string { return inv.entries[k].Hash }

// changed reports whether git's version of k differs from the one last applied.
func (inv inventory) changed(k gitindex.Key, hash string) bool {
	e, ok := inv.entries[k]
	return ok && e.Hash != hash
}

func (a *Applier) inventoryObject() *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"})
	u.SetNamespace(a.opts.InventoryNamespace)
	u.SetName(a.opts.InventoryName)
	return u
}

// readInventory reads the inventory; a missing ConfigMap is an empty inventory.
func (a *Applier) readInventory(ctx context.Context) (inventory, error) {
	inv := inventory{entries: map[gitindex.Key]entry{}}
	u := a.inventoryObject()
	where := a.opts.InventoryNamespace + "/" + a.opts.InventoryName
	if err := a.c.Get(ctx, client.ObjectKeyFromObject(u), u); apierrors.IsNotFound(err) {
		return inv, nil
	} else if err != nil {
		return inv, fmt.Errorf("read inventory %s: %w", where, err)
	}
	raw, _, _ := unstructured.NestedString(u.Object, "data", InventoryKey)
	inv.raw = raw
	if raw == "" {
		return inv, nil
	}
	var doc Inventory
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return inv, fmt.Errorf("read inventory %s: invalid %s (fix or delete it; nothing is pruned meanwhile): %w", where, InventoryKey, err)
	}
	for _, e := range doc.Objects {
		inv.entries[e.Key()] = e
	}
	return inv, nil
}

// nextInventory encodes what this run applied plus what it failed to prune.
func (r *run) nextInventory() string {
	doc := Inventory{Commit: r.snap.Commit, Objects: append(append([]entry{}, r.applied...), r.kept...)}
	sort.Slice(doc.Objects, func(i, j int) bool {
		return doc.Objects[i].Key().String() < doc.Objects[j].Key().String()
	})
	b, err := json.Marshal(doc)
	if err != nil { // cannot happen with plain strings; keep the old inventory
		return r.old.raw
	}
	return string(b)
}

// writeInventory server-side applies the inventory ConfigMap, unless unchanged.
func (a *Applier) writeInventory(ctx context.Context, inv inventory, data string) error {
	if data == inv.raw {
		return nil
	}
	u := a.inventoryObject()
	u.SetLabels(map[string]string{"app.kubernetes.io/managed-by": a.opts.FieldManager})
	if err := unstructured.SetNestedField(u.Object, data, "data", InventoryKey); err != nil {
		return fmt.Errorf("write inventory: %w", err)
	}
	err := a.c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.ForceOwnership, client.FieldOwner(a.opts.FieldManager))
	if err != nil {
		return fmt.Errorf("write inventory %s/%s: %w", a.opts.InventoryNamespace, a.opts.InventoryName, err)
	}
	return nil
}

package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gitgate-dev/gitgate/webhook/audit"
)

// ConfigMapAnchor keeps each log's newest checkpoint in one ConfigMap, under the
// log id as data key, as JSON. It only gets and patches that one ConfigMap, which
// the install creates (empty): gitgate needs no right to create ConfigMaps.
//
// Pod names change with every rollout, so entries accumulate: Load, called once
// when a pod starts, also removes the entries of other logs whose checkpoint is
// older than MaxAge, keeping the ConfigMap far from its 1 MiB limit.
type ConfigMapAnchor struct {
	Client          client.Client
	Namespace, Name string
	// MaxAge of other logs' entries; 0 keeps them all.
	MaxAge time.Duration
}

var _ audit.Anchor = (*ConfigMapAnchor)(nil)

// Load returns the checkpoint stored for logID, or nil, and prunes stale entries
// (see MaxAge). A failed prune is not an error: it is tried again next start.
func (a *ConfigMapAnchor) Load(ctx context.Context, logID string) (*audit.Checkpoint, error) {
	all, err := a.LoadAll(ctx)
	if err != nil {
		return nil, err
	}
	stale := map[string]any{}
	for id, c := range all {
		if a.MaxAge > 0 && id != logID && time.Since(c.Time) > a.MaxAge {
			stale[id] = nil // a merge patch removes the key
		}
	}
	if len(stale) > 0 {
		_ = a.patch(ctx, stale)
	}
	return all[logID], nil
}

// LoadAll returns every stored checkpoint by log id.
func (a *ConfigMapAnchor) LoadAll(ctx context.Context) (map[string]*audit.Checkpoint, error) {
	cm := &corev1.ConfigMap{}
	if err := a.Client.Get(ctx, client.ObjectKey{Namespace: a.Namespace, Name: a.Name}, cm); err != nil {
		return nil, fmt.Errorf("read audit anchors %s/%s: %w", a.Namespace, a.Name, err)
	}
	return ParseAnchors(cm.Data)
}

// ParseAnchors decodes the data of an anchors ConfigMap.
func ParseAnchors(data map[string]string) (map[string]*audit.Checkpoint, error) {
	out := make(map[string]*audit.Checkpoint, len(data))
	for id, v := range data {
		c := &audit.Checkpoint{}
		if err := json.Unmarshal([]byte(v), c); err != nil {
			return nil, fmt.Errorf("decode audit anchor %q: %w", id, err)
		}
		out[id] = c
	}
	return out, nil
}

// Store patches c under c.Log (a JSON merge patch of that one key, so replicas
// never conflict).
func (a *ConfigMapAnchor) Store(ctx context.Context, c audit.Checkpoint) error {
	v, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode audit anchor: %w", err)
	}
	return a.patch(ctx, map[string]any{c.Log: string(v)})
}

// patch merges data into the ConfigMap's data (nil values remove keys).
func (a *ConfigMapAnchor) patch(ctx context.Context, data map[string]any) error {
	patch, err := json.Marshal(map[string]any{"data": data})
	if err != nil {
		return fmt.Errorf("encode audit anchor: %w", err)
	}
	cm := &corev1.ConfigMap{}
	cm.Namespace, cm.Name = a.Namespace, a.Name
	if err := a.Client.Patch(ctx, cm, client.RawPatch(types.MergePatchType, patch)); err != nil {
		return fmt.Errorf("anchor audit checkpoint in %s/%s: %w", a.Namespace, a.Name, err)
	}
	return nil
}

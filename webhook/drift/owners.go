package drift

import (
	"encoding/json"
	"strings"
)

// ClusterManagers are the field managers of the cluster's own controllers
// (kube-controller-manager, the scheduler, kubelets): fields only they set on a
// declared object are their work, not drift. Field manager names are chosen by
// clients, so only the drift scan and the applier trust them, after the webhook
// has judged every write by its authenticated identity.
var ClusterManagers = []string{"kube-controller-manager", "kube-scheduler", "kubelet"}

// owners is who set which field of a live object: the managedFields trees of
// every manager that is not entitled.
type owners struct {
	hasManagedFields bool
	trees            []map[string]any
}

// owned is a position in the owners' trees: the subtrees of the managers that own
// something at or below it, or all when one owns it whole.
type owned struct {
	trees []map[string]any
	all   bool
}

func newOwners(obj map[string]any, entitled []string) *owners {
	meta, _ := obj["metadata"].(map[string]any)
	entries, _ := meta["managedFields"].([]any)
	o := &owners{hasManagedFields: len(entries) > 0}
	for _, e := range entries {
		m, _ := e.(map[string]any)
		manager, _ := m["manager"].(string)
		if contains(entitled, manager) {
			continue
		}
		if t, ok := m["fieldsV1"].(map[string]any); ok {
			o.trees = append(o.trees, t)
		}
	}
	return o
}

func (o *owners) root() owned {
	if o == nil {
		return owned{all: true}
	}
	return owned{trees: o.trees}
}

// drift reports whether a field at position x counts: someone not entitled set
// it, or the object does not say who set what.
func (o *owners) drift(x owned) bool {
	return o == nil || !o.hasManagedFields || x.all || len(x.trees) > 0
}

func (x owned) field(name string) owned {
	return x.descend(func(t map[string]any) any { return t["f:"+name] })
}

// item descends into the list item it of an associative list with keys.
func (x owned) item(e node, keys []string, it any) owned {
	if it == nil || x.all || len(x.trees) == 0 {
		return owned{all: x.all}
	}
	want := itemKey(e, keys, it)
	return x.descend(func(t map[string]any) any {
		for k, sub := range t {
			if !strings.HasPrefix(k, "k:") {
				continue
			}
			var fields map[string]any
			if json.Unmarshal([]byte(k[2:]), &fields) == nil && itemKey(e, keys, fields) == want {
				return sub
			}
		}
		return nil
	})
}

func (x owned) descend(next func(map[string]any) any) owned {
	if x.all || len(x.trees) == 0 {
		return x
	}
	var out owned
	for _, t := range x.trees {
		sub, ok := next(t).(map[string]any)
		switch {
		case !ok:
		case len(sub) == 0:
			return owned{all: true} // a leaf: owned whole
		default:
			out.trees = append(out.trees, sub)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

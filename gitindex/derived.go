package gitindex

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Autoscaling says that git gives a declared object's spec.replicas to the
// HorizontalPodAutoscaler controller: a declared HorizontalPodAutoscaler's
// scaleTargetRef names it. Within Min..Max the value is the controller's, not
// git's; the webhook lets only the HPA controller move it, and the applier and
// the drift scan leave it alone.
type Autoscaling struct {
	// HPA is the declared HorizontalPodAutoscaler. When several name the same
	// target, it is the first by key and Min..Max the intersection of their ranges.
	HPA Key
	// Source is the HPA's path:line in git.
	Source string
	// Min is git's spec.minReplicas (default 1), Max its spec.maxReplicas.
	Min, Max int64
}

// Allows reports whether replicas lies within Min..Max.
func (a Autoscaling) Allows(replicas int64) bool { return replicas >= a.Min && replicas <= a.Max }

// AllowsValue is Allows for a decoded JSON value (int64 or a whole float64), as
// the comparison's changes carry it; anything else is not allowed.
func (a Autoscaling) AllowsValue(replicas any) bool {
	switch n := replicas.(type) {
	case int64:
		return a.Allows(n)
	case float64:
		return n == float64(int64(n)) && a.Allows(int64(n))
	}
	return false
}

// Autoscaled returns the autoscaling git declares for the object k, if any.
func (s *Snapshot) Autoscaled(k Key) (Autoscaling, bool) {
	a, ok := s.autoscaled[k]
	return a, ok
}

// Holds returns how many declared objects live in namespace (0 for one git
// declares only as a Namespace, or not at all).
func (s *Snapshot) Holds(namespace string) int { return s.held[namespace] }

// InNamespace returns one declared object in namespace (the first by path and
// line), for messages that name what a namespace holds.
func (s *Snapshot) InNamespace(namespace string) (*Object, bool) {
	var first *Object
	for _, o := range s.objects {
		if o.Namespace == namespace && (first == nil || o.Path < first.Path || o.Path == first.Path && o.Line < first.Line) {
			first = o
		}
	}
	return first, first != nil
}

var hpaKind = schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}

// derive fills in what the snapshot knows from its objects as a whole: the
// objects each namespace holds and the declared targets of declared HPAs.
func (s *Snapshot) derive() {
	s.held = map[string]int{}
	s.autoscaled = map[Key]Autoscaling{}
	for k, o := range s.objects {
		if k.Namespace != "" {
			s.held[k.Namespace]++
		}
		if k.GroupKind() != hpaKind {
			continue
		}
		target, a, ok := autoscalingOf(o)
		if _, declared := s.objects[target]; !ok || !declared {
			continue
		}
		if prev, seen := s.autoscaled[target]; seen {
			if prev.HPA.String() < a.HPA.String() { // name one of them, whatever the map order
				a.HPA, a.Source = prev.HPA, prev.Source
			}
			a.Min, a.Max = max(a.Min, prev.Min), min(a.Max, prev.Max)
		}
		s.autoscaled[target] = a
	}
}

// autoscalingOf reads an HPA's target and range (autoscaling/v1 and v2 agree on
// these fields).
func autoscalingOf(hpa *Object) (Key, Autoscaling, bool) {
	spec, _ := hpa.Object["spec"].(map[string]any)
	ref, _ := spec["scaleTargetRef"].(map[string]any)
	kind, _ := ref["kind"].(string)
	name, _ := ref["name"].(string)
	apiVersion, _ := ref["apiVersion"].(string)
	maxR, okMax := integer(spec["maxReplicas"])
	minR, okMin := integer(spec["minReplicas"])
	if !okMin {
		minR = 1
	}
	if kind == "" || name == "" || !okMax {
		return Key{}, Autoscaling{}, false
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return Key{}, Autoscaling{}, false
	}
	target := Key{Group: gv.Group, Kind: kind, Namespace: hpa.Namespace, Name: name}
	return target, Autoscaling{HPA: hpa.Key, Source: hpa.Source(), Min: minR, Max: maxR}, true
}

// integer reads a whole JSON number as decoded from YAML or JSON.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}

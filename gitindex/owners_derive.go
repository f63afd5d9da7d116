package gitindex

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

var hpaKind = schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}

// replicasPath is what the scaling presets own.
const replicasPath = "spec.replicas"

// deriveOwners reads who owns which paths of which declared objects: from the
// owning objects git declares (each naming a declared target), from
// cert-manager's annotations, and from .gitgate.yaml's owners.
func (s *Snapshot) deriveOwners() {
	s.owners = map[Key][]Ownership{}
	s.creators = map[string][]string{}
	var owning []*Object // sorted, so that the first of two owning objects wins
	for k, o := range s.objects {
		if _, ok := caBundlePaths[k.GroupKind()]; ok || ownsReplicas[k.GroupKind()] {
			owning = append(owning, o)
		}
	}
	slices.SortFunc(owning, func(a, b *Object) int { return strings.Compare(a.Key.String(), b.Key.String()) })
	for _, o := range owning {
		if target, own, ok := s.scalingOwnership(o); ok {
			s.addOwnership(target, own)
		}
		if path, ok := caBundlePaths[o.GroupKind()]; ok && injectsCA(o.Object) {
			s.addOwnership(o.Key, s.presetOwnership(PresetCertManager, o, path))
		}
	}
	for i, oc := range s.Config.Owners {
		for k := range s.objects {
			if oc.matches(k) {
				s.addOwnership(k, Ownership{By: fmt.Sprintf("%s owners[%d]", ConfigFile, i), Source: ConfigFile,
					Who: oc.Identity, Identities: []string{oc.Identity}, Paths: oc.Paths})
			}
		}
	}
}

// ownsReplicas are the kinds whose objects give their target's spec.replicas away.
var ownsReplicas = map[schema.GroupKind]bool{hpaKind: true, scaledObjectKind: true, canaryKind: true, rolloutKind: true}

// addOwnership records own on a declared target. Two owning objects of one
// preset on one target (two HPAs) make one ownership: the first by key, within
// the intersection of their ranges.
func (s *Snapshot) addOwnership(target Key, own Ownership) {
	if _, declared := s.objects[target]; !declared || len(own.Identities) == 0 {
		return
	}
	list := s.owners[target]
	for i, prev := range list {
		if own.Preset != "" && prev.Preset == own.Preset && prev.Bounded && own.Bounded {
			list[i].Min, list[i].Max = max(prev.Min, own.Min), min(prev.Max, own.Max)
			return
		}
	}
	s.owners[target] = append(list, own)
}

// presetOwnership is a preset's ownership of paths, given away by the object by.
func (s *Snapshot) presetOwnership(preset string, by *Object, paths ...string) Ownership {
	return Ownership{By: by.Key.String(), Source: by.Source(), Who: presetWho[preset], Preset: preset,
		Identities: s.Config.presetIdentities(preset), Paths: paths}
}

// scalingOwnership reads the target and range of a scaling object git declares
// (HPA, KEDA ScaledObject, Flagger Canary, Argo Rollouts Rollout).
func (s *Snapshot) scalingOwnership(o *Object) (Key, Ownership, bool) {
	spec, _ := o.Object["spec"].(map[string]any)
	switch o.GroupKind() {
	case hpaKind:
		maxR, okMax := integer(spec["maxReplicas"])
		target, ok := targetOf(o, spec["scaleTargetRef"], "", "")
		own := s.presetOwnership(PresetHPA, o, replicasPath)
		own.Bounded, own.Min, own.Max = true, intOr(spec["minReplicas"], 1), maxR
		return target, own, ok && okMax
	case scaledObjectKind:
		target, ok := targetOf(o, spec["scaleTargetRef"], "apps/v1", "Deployment")
		own := s.presetOwnership(PresetKEDA, o, replicasPath)
		own.Identities = unionOf(own.Identities, s.Config.presetIdentities(PresetHPA)) // KEDA's own HPA
		own.Bounded, own.Min, own.Max = true, intOr(spec["minReplicaCount"], 0), intOr(spec["maxReplicaCount"], 100)
		if idle, set := integer(spec["idleReplicaCount"]); set {
			own.Min = min(own.Min, idle)
		}
		if ok {
			s.mayCreate(o.Namespace, own.Identities, "keda-hpa-"+o.Name) // the HPA KEDA runs the target with
		}
		return target, own, ok
	case canaryKind:
		target, ok := targetOf(o, spec["targetRef"], "", "")
		own := s.presetOwnership(PresetFlagger, o, replicasPath)
		if ok {
			s.mayCreate(o.Namespace, own.Identities, target.Name+"-primary", target.Name+"-canary")
			if hpa, _ := spec["autoscalerRef"].(map[string]any); hpa != nil {
				name, _ := hpa["name"].(string)
				s.mayCreate(o.Namespace, own.Identities, name+"-primary")
			}
		}
		return target, own, ok
	case rolloutKind:
		target, ok := targetOf(o, spec["workloadRef"], "", "")
		return target, s.presetOwnership(PresetArgoRollouts, o, replicasPath), ok
	}
	return Key{}, Ownership{}, false
}

// mayCreate lets identities create the named objects in namespace although git
// does not declare them (an owner's copies beside its target).
func (s *Snapshot) mayCreate(namespace string, identities []string, names ...string) {
	for _, n := range names {
		s.creators[namespace+"/"+n] = unionOf(s.creators[namespace+"/"+n], identities)
	}
}

// targetOf reads a reference {apiVersion, kind, name} to an object in o's
// namespace, with defaults for an omitted apiVersion and kind ("" for none).
func targetOf(o *Object, ref any, apiVersion, kind string) (Key, bool) {
	m, _ := ref.(map[string]any)
	name, _ := m["name"].(string)
	if v, ok := m["apiVersion"].(string); ok {
		apiVersion = v
	}
	if k, ok := m["kind"].(string); ok {
		kind = k
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || apiVersion == "" || kind == "" || name == "" {
		return Key{}, false
	}
	return Key{Group: gv.Group, Kind: kind, Namespace: o.Namespace, Name: name}, true
}

// injectsCA reports whether an object asks cert-manager's CA injector for its
// caBundle.
func injectsCA(obj map[string]any) bool {
	meta, _ := obj["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	for _, a := range injectAnnotations {
		v, _ := ann[a].(string)
		if v != "" && (a != "cert-manager.io/inject-apiserver-ca" || v == "true") {
			return true
		}
	}
	return false
}

func intOr(v any, def int64) int64 {
	if n, ok := integer(v); ok {
		return n
	}
	return def
}

// unionOf appends b's names that a lacks, into a new slice.
func unionOf(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

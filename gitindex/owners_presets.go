package gitindex

import (
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The built-in owner presets, by the name .gitgate.yaml's presets use to
// override their identities.
const (
	// PresetHPA: a HorizontalPodAutoscaler in git owns its declared target's
	// spec.replicas within minReplicas (default 1)..maxReplicas, for the HPA
	// controller.
	PresetHPA = "hpa"
	// PresetKEDA: a KEDA ScaledObject in git owns its declared target's
	// spec.replicas within min(minReplicaCount, idleReplicaCount) (default
	// 0)..maxReplicaCount (default 100), for keda-operator (which scales to
	// zero and back) and the HPA controller (which runs the HPA KEDA creates).
	PresetKEDA = "keda"
	// PresetFlagger: a Flagger Canary in git owns its declared target's
	// spec.replicas (Flagger scales it to zero and back), and Flagger may create
	// <target>-primary and <target>-canary beside it.
	PresetFlagger = "flagger"
	// PresetArgoRollouts: an Argo Rollouts Rollout in git owns the spec.replicas
	// of the declared workload its spec.workloadRef names (scaled to zero).
	PresetArgoRollouts = "argoRollouts"
	// PresetCertManager: a declared webhook configuration, CRD or APIService
	// annotated cert-manager.io/inject-ca-from, inject-ca-from-secret or
	// inject-apiserver-ca gives its caBundle fields to cert-manager's CA injector.
	PresetCertManager = "certManager"
)

// DefaultPresetIdentities are each preset's identities in a default install of
// the controller (the namespace and ServiceAccount of its own manifests and
// chart); .gitgate.yaml's presets replace them per preset.
var DefaultPresetIdentities = map[string][]string{
	PresetHPA:          {"system:serviceaccount:kube-system:horizontal-pod-autoscaler", "system:kube-controller-manager"},
	PresetKEDA:         {"system:serviceaccount:keda:keda-operator"},
	PresetFlagger:      {"system:serviceaccount:flagger-system:flagger"},
	PresetArgoRollouts: {"system:serviceaccount:argo-rollouts:argo-rollouts"},
	PresetCertManager:  {"system:serviceaccount:cert-manager:cert-manager-cainjector"},
}

// presetWho names each preset's owner in messages.
var presetWho = map[string]string{
	PresetHPA:          "the HPA controller",
	PresetKEDA:         "KEDA",
	PresetFlagger:      "Flagger",
	PresetArgoRollouts: "Argo Rollouts",
	PresetCertManager:  "cert-manager's CA injector",
}

// Owning kinds and where they name their target.
var (
	scaledObjectKind = schema.GroupKind{Group: "keda.sh", Kind: "ScaledObject"}
	canaryKind       = schema.GroupKind{Group: "flagger.app", Kind: "Canary"}
	rolloutKind      = schema.GroupKind{Group: "argoproj.io", Kind: "Rollout"}
)

// caBundlePaths are where cert-manager's CA injector writes, per kind it injects.
var caBundlePaths = map[schema.GroupKind]string{
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}: "webhooks[*].clientConfig.caBundle",
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:   "webhooks[*].clientConfig.caBundle",
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:               "spec.conversion.webhook.clientConfig.caBundle",
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                           "spec.caBundle",
}

// Annotations that ask cert-manager's CA injector for a caBundle.
var injectAnnotations = []string{"cert-manager.io/inject-ca-from", "cert-manager.io/inject-ca-from-secret", "cert-manager.io/inject-apiserver-ca"}

// presetIdentities returns a preset's identities: .gitgate.yaml's, else the default.
func (c Config) presetIdentities(preset string) []string {
	if ids, ok := c.Presets[preset]; ok {
		return ids
	}
	return DefaultPresetIdentities[preset]
}

// Presets returns the preset names, sorted.
func Presets() []string { return slices.Sorted(maps.Keys(DefaultPresetIdentities)) }

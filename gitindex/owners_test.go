package gitindex

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ownersRepo declares a target per preset, the owning objects, and objects
// cert-manager injects into.
const ownersRepo = `apiVersion: apps/v1
kind: Deployment
metadata: {name: queue, namespace: shop}
spec: {replicas: 1}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: queue, namespace: shop}
spec: {scaleTargetRef: {name: queue}, maxReplicaCount: 8, idleReplicaCount: 0, minReplicaCount: 2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: front, namespace: shop}
spec: {replicas: 2}
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: front, namespace: shop}
spec: {targetRef: {apiVersion: apps/v1, kind: Deployment, name: front}, autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: front-hpa}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec: {replicas: 3}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: api, namespace: shop}
spec: {workloadRef: {apiVersion: apps/v1, kind: Deployment, name: api}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: ghost, namespace: shop}
spec: {workloadRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hooks, annotations: {cert-manager.io/inject-ca-from: shop/hooks}}
webhooks: []
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com, annotations: {cert-manager.io/inject-ca-from-secret: shop/ca}}
spec: {group: example.com, names: {kind: Widget, plural: widgets}, scope: Namespaced, versions: []}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.metrics.example.com, annotations: {cert-manager.io/inject-apiserver-ca: "true"}}
spec: {group: metrics.example.com, version: v1}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v2.metrics.example.com, annotations: {cert-manager.io/inject-apiserver-ca: "false"}}
spec: {group: metrics.example.com, version: v2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: tuning, namespace: shop}
`

func TestOwnersDerived(t *testing.T) {
	hpaIDs := DefaultPresetIdentities[PresetHPA]
	dep := func(name string) Key { return Key{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: name} }
	tests := []struct {
		name   string
		file   string
		config string
		target Key
		want   []Ownership
	}{
		{name: "two HPAs: one ownership, the first by key, within the intersection of their ranges", file: autoscaledRepo, target: dep("web"),
			want: []Ownership{{By: "HorizontalPodAutoscaler.autoscaling shop/web", Source: "k8s/all.yaml:6", Who: "the HPA controller", Preset: PresetHPA,
				Identities: hpaIDs, Paths: []string{"spec.replicas"}, Bounded: true, Min: 3, Max: 6}}},
		{name: "HPA: minReplicas defaults to 1", file: autoscaledRepo, target: Key{Group: "apps", Kind: "StatefulSet", Namespace: "shop", Name: "db"},
			want: []Ownership{{By: "HorizontalPodAutoscaler.autoscaling shop/db", Source: "k8s/all.yaml:34", Who: "the HPA controller", Preset: PresetHPA,
				Identities: hpaIDs, Paths: []string{"spec.replicas"}, Bounded: true, Min: 1, Max: 3}}},
		{name: "HPA: a target git does not declare is nobody's", file: autoscaledRepo, target: dep("api")},
		{name: "KEDA: Deployment by default, keda-operator and KEDA's HPA, down to idleReplicaCount", file: ownersRepo, target: dep("queue"),
			want: []Ownership{{By: "ScaledObject.keda.sh shop/queue", Source: "k8s/all.yaml:6", Who: "KEDA", Preset: PresetKEDA,
				Identities: append([]string{"system:serviceaccount:keda:keda-operator"}, hpaIDs...), Paths: []string{"spec.replicas"}, Bounded: true, Min: 0, Max: 8}}},
		{name: "Flagger: its Canary's target, unbounded", file: ownersRepo, target: dep("front"),
			want: []Ownership{{By: "Canary.flagger.app shop/front", Source: "k8s/all.yaml:16", Who: "Flagger", Preset: PresetFlagger,
				Identities: []string{"system:serviceaccount:flagger-system:flagger"}, Paths: []string{"spec.replicas"}}}},
		{name: "Argo Rollouts: the workloadRef", file: ownersRepo, target: dep("api"),
			want: []Ownership{{By: "Rollout.argoproj.io shop/api", Source: "k8s/all.yaml:26", Who: "Argo Rollouts", Preset: PresetArgoRollouts,
				Identities: []string{"system:serviceaccount:argo-rollouts:argo-rollouts"}, Paths: []string{"spec.replicas"}}}},
		{name: "cert-manager: a webhook configuration's caBundles", file: ownersRepo, target: Key{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration", Name: "hooks"},
			want: []Ownership{{By: "ValidatingWebhookConfiguration.admissionregistration.k8s.io hooks", Source: "k8s/all.yaml:36", Who: "cert-manager's CA injector", Preset: PresetCertManager,
				Identities: []string{"system:serviceaccount:cert-manager:cert-manager-cainjector"}, Paths: []string{"webhooks[*].clientConfig.caBundle"}}}},
		{name: "cert-manager: a CRD's conversion webhook, from a Secret", file: ownersRepo, target: Key{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", Name: "widgets.example.com"},
			want: []Ownership{{By: "CustomResourceDefinition.apiextensions.k8s.io widgets.example.com", Source: "k8s/all.yaml:41", Who: "cert-manager's CA injector", Preset: PresetCertManager,
				Identities: []string{"system:serviceaccount:cert-manager:cert-manager-cainjector"}, Paths: []string{"spec.conversion.webhook.clientConfig.caBundle"}}}},
		{name: "cert-manager: an APIService with the API server's CA", file: ownersRepo, target: Key{Group: "apiregistration.k8s.io", Kind: "APIService", Name: "v1.metrics.example.com"},
			want: []Ownership{{By: "APIService.apiregistration.k8s.io v1.metrics.example.com", Source: "k8s/all.yaml:46", Who: "cert-manager's CA injector", Preset: PresetCertManager,
				Identities: []string{"system:serviceaccount:cert-manager:cert-manager-cainjector"}, Paths: []string{"spec.caBundle"}}}},
		{name: "cert-manager: inject-apiserver-ca other than true", file: ownersRepo, target: Key{Group: "apiregistration.k8s.io", Kind: "APIService", Name: "v2.metrics.example.com"}},
		{name: "a preset's identities from .gitgate.yaml", file: ownersRepo, config: "presets:\n  argoRollouts: [system:serviceaccount:cd:rollouts]\n", target: dep("api"),
			want: []Ownership{{By: "Rollout.argoproj.io shop/api", Source: "k8s/all.yaml:26", Who: "Argo Rollouts", Preset: PresetArgoRollouts,
				Identities: []string{"system:serviceaccount:cd:rollouts"}, Paths: []string{"spec.replicas"}}}},
		{name: "a preset turned off", file: ownersRepo, config: "presets:\n  argoRollouts: []\n", target: dep("api")},
		{name: "an owner .gitgate.yaml declares, by kind and namespace", file: ownersRepo, target: Key{Kind: "ConfigMap", Namespace: "shop", Name: "tuning"},
			config: "owners:\n- {identity: ops, kind: ConfigMap, namespace: shop, paths: ['data.level']}\n- {identity: x, kind: ConfigMap, name: other, paths: [data]}\n",
			want:   []Ownership{{By: ".gitgate.yaml owners[0]", Source: ".gitgate.yaml", Who: "ops", Identities: []string{"ops"}, Paths: []string{"data.level"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := []File{{Path: "k8s/all.yaml", Data: []byte(tt.file)}}
			if tt.config != "" {
				files = append(files, File{Path: ConfigFile, Data: []byte(tt.config)})
			}
			snap, err := Build("c0ffee", files, BuildOptions{Paths: []string{"k8s"}})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, snap.Owners(tt.target)); diff != "" {
				t.Errorf("Owners(%s) (-want +got):\n%s", tt.target, diff)
			}
		})
	}
}

func TestOwnersMayCreateCopies(t *testing.T) {
	snap, err := Build("c0ffee", []File{{Path: "k8s/all.yaml", Data: []byte(ownersRepo)}}, BuildOptions{Paths: []string{"k8s"}})
	if err != nil {
		t.Fatal(err)
	}
	flagger := "system:serviceaccount:flagger-system:flagger"
	tests := []struct {
		name string
		user string
		key  Key
		want bool
	}{
		{name: "the primary copy", user: flagger, key: Key{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "front-primary"}, want: true},
		{name: "the canary Service", user: flagger, key: Key{Kind: "Service", Namespace: "shop", Name: "front-canary"}, want: true},
		{name: "the autoscaler's primary copy", user: flagger, key: Key{Group: "autoscaling", Kind: "HorizontalPodAutoscaler", Namespace: "shop", Name: "front-hpa-primary"}, want: true},
		{name: "KEDA's own HPA", user: "system:serviceaccount:keda:keda-operator", key: Key{Group: "autoscaling", Kind: "HorizontalPodAutoscaler", Namespace: "shop", Name: "keda-hpa-queue"}, want: true},
		{name: "KEDA's HPA is not Flagger's", user: flagger, key: Key{Group: "autoscaling", Kind: "HorizontalPodAutoscaler", Namespace: "shop", Name: "keda-hpa-queue"}},
		{name: "another name", user: flagger, key: Key{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "front-other"}},
		{name: "another namespace", user: flagger, key: Key{Group: "apps", Kind: "Deployment", Namespace: "dev", Name: "front-primary"}},
		{name: "a human", user: "alice", key: Key{Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "front-primary"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := snap.MayCreate(tt.user, tt.key); got != tt.want {
				t.Errorf("MayCreate(%s, %s) = %v, want %v", tt.user, tt.key, got, tt.want)
			}
		})
	}
}

func TestPathCovers(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		path    string
		want    bool
	}{
		{name: "the path itself", pattern: "spec.replicas", path: "spec.replicas", want: true},
		{name: "below it", pattern: "data", path: `data["a.b"]`, want: true},
		{name: "above it", pattern: "spec.replicas", path: "spec", want: false},
		{name: "a sibling", pattern: "spec.replicas", path: "spec.paused", want: false},
		{name: "a prefix of a field name is not the field", pattern: "spec.rep", path: "spec.replicas", want: false},
		{name: "[*] matches a keyed item with dots", pattern: "webhooks[*].clientConfig.caBundle", path: "webhooks[name=v.example.com].clientConfig.caBundle", want: true},
		{name: "[*] matches an index", pattern: "webhooks[*].clientConfig.caBundle", path: "webhooks[0].clientConfig.caBundle", want: true},
		{name: "[*] is not a field", pattern: "webhooks[*].clientConfig.caBundle", path: "webhooks.clientConfig.caBundle", want: false},
		{name: "the whole item is more than its caBundle", pattern: "webhooks[*].clientConfig.caBundle", path: "webhooks[name=v.example.com]", want: false},
		{name: "a quoted key with a bracket", pattern: `metadata.annotations["a]b"]`, path: `metadata.annotations["a]b"]`, want: true},
		{name: "an exact item", pattern: "webhooks[name=a].clientConfig", path: "webhooks[name=b].clientConfig", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PathCovers(tt.pattern, tt.path); got != tt.want {
				t.Errorf("PathCovers(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
			}
		})
	}
}

func TestOwnershipAllows(t *testing.T) {
	bounded := Ownership{Bounded: true, Min: 2, Max: 4}
	tests := []struct {
		name  string
		owner Ownership
		value any
		want  bool
	}{
		{name: "below min", owner: bounded, value: int64(1)},
		{name: "min", owner: bounded, value: int64(2), want: true},
		{name: "max as a whole float", owner: bounded, value: float64(4), want: true},
		{name: "a fraction", owner: bounded, value: 2.5},
		{name: "above max", owner: bounded, value: int64(5)},
		{name: "absent", owner: bounded, value: nil},
		{name: "unbounded: anything", owner: Ownership{}, value: "LS0tLS1CRUdJTi...", want: true},
		{name: "unbounded: absent", owner: Ownership{}, value: nil, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.owner.Allows(tt.value); got != tt.want {
				t.Errorf("Allows(%v) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestOwnersConfigRejected(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   string
	}{
		{name: "no identity", config: "owners:\n- {kind: ConfigMap, paths: [data]}\n", want: `owners[0]: identity "": name one exact username`},
		{name: "a pattern", config: "owners:\n- {identity: 'system:serviceaccount:ops:*', kind: ConfigMap, paths: [data]}\n", want: "name one exact username"},
		{name: "no kind", config: "owners:\n- {identity: ops, paths: [data]}\n", want: "kind must not be empty"},
		{name: "no paths", config: "owners:\n- {identity: ops, kind: ConfigMap}\n", want: "paths must not be empty"},
		{name: "an item is not a field path", config: "owners:\n- {identity: ops, kind: ConfigMap, paths: ['[0]']}\n", want: `path "[0]": not a field path`},
		{name: "an unknown field", config: "owners:\n- {identity: ops, kind: ConfigMap, paths: [data], group: '', verbs: [update]}\n", want: "verbs"},
		{name: "an unknown preset", config: "presets:\n  flux: [x]\n", want: `preset "flux" is not one of argoRollouts, certManager, flagger, hpa, keda`},
		{name: "a preset identity pattern", config: "presets:\n  keda: ['system:serviceaccount:keda:*']\n", want: "preset keda: identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig([]byte(tt.config))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseConfig error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

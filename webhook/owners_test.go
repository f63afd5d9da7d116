package webhook

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// Owners beside the shared fixtures: a Deployment per scaling preset with its
// owning object, a CRD and a webhook configuration cert-manager injects into,
// and an owner .gitgate.yaml declares for the shared ConfigMap's data.color.
var ownerFiles = map[string]string{
	"k8s/app/queue.yaml": ownedDeployment("queue", 1) + `---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: queue, namespace: staging}
spec: {scaleTargetRef: {name: queue}, maxReplicaCount: 3}
`,
	"k8s/app/front.yaml": ownedDeployment("front", 2) + `---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: front, namespace: staging}
spec: {targetRef: {apiVersion: apps/v1, kind: Deployment, name: front}}
`,
	"k8s/app/api.yaml": ownedDeployment("api", 2) + `---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: api, namespace: staging}
spec: {workloadRef: {apiVersion: apps/v1, kind: Deployment, name: api}}
`,
	"k8s/crd.yaml":   ownedCRD(""),
	"k8s/hooks.yaml": ownedHooks(""),
	".gitgate.yaml":  "owners:\n- {identity: ops-tuner, kind: ConfigMap, namespace: staging, name: settings, paths: [data.color]}\n",
}

const (
	kedaUser       = "system:serviceaccount:keda:keda-operator"
	flaggerUser    = "system:serviceaccount:flagger-system:flagger"
	rolloutsUser   = "system:serviceaccount:argo-rollouts:argo-rollouts"
	cainjectorUser = "system:serviceaccount:cert-manager:cert-manager-cainjector"
	appsDeployment = "apps/v1/Kind=Deployment"
	crdKind        = "apiextensions.k8s.io/v1/Kind=CustomResourceDefinition"
	vwcKind        = "admissionregistration.k8s.io/v1/Kind=ValidatingWebhookConfiguration"
	bundle         = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"
)

func ownedDeployment(name string, replicas int) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: staging}
spec:
  replicas: %[2]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec: {containers: [{name: app, image: "nginx:1.21"}]}
`, name, replicas)
}

// ownedCRD is a CRD with a conversion webhook whose caBundle cert-manager injects.
func ownedCRD(caBundle string) string {
	return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com, annotations: {cert-manager.io/inject-ca-from: staging/widgets}}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig: {` + caBundle + `service: {namespace: staging, name: widgets, path: /convert}}
`
}

// ownedHooks is a webhook configuration whose caBundles cert-manager injects.
func ownedHooks(caBundle string) string {
	return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hooks, annotations: {cert-manager.io/inject-ca-from: staging/hooks}}
webhooks:
- name: a.hooks.example.com
  clientConfig: {` + caBundle + `service: {namespace: staging, name: hooks}}
  failurePolicy: Ignore
  sideEffects: None
  admissionReviewVersions: [v1]
`
}

func TestOwners(t *testing.T) {
	scale := func(user, name, from, to string) reqOpts {
		r := reqOpts{op: admissionv1.Update, user: user, kind: "autoscaling/v1/Kind=Scale", resource: "apps/deployments", sub: "scale", ns: "staging", name: name,
			old: scaleObj(from), obj: scaleObj(to)}
		r.old, r.obj = strings.Replace(r.old, "nginx", name, 1), strings.Replace(r.obj, "nginx", name, 1)
		return r
	}
	update := func(user, kind, ns, name, old, obj string) reqOpts {
		return reqOpts{op: admissionv1.Update, user: user, kind: kind, ns: ns, name: name, old: old, obj: obj}
	}
	front := ownedDeployment("front", 2)
	crd, crdInjected := ownedCRD(""), ownedCRD("caBundle: "+bundle+", ")
	hooks, hooksInjected := ownedHooks(""), ownedHooks("caBundle: "+bundle+", ")
	settings := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: staging}\ndata: {color: blue}\n"
	tests := []struct {
		name    string
		config  string // replaces .gitgate.yaml
		req     reqOpts
		allowed bool
		want    []string
	}{
		// KEDA: keda-operator to zero, KEDA's HPA within the range.
		{name: "KEDA scales its target to zero", req: scale(kedaUser, "queue", "1", "0"), allowed: true},
		{name: "KEDA's HPA, run by the HPA controller", req: scale(hpaUser, "queue", "0", "3"), allowed: true},
		{name: "KEDA beyond maxReplicaCount", req: scale(kedaUser, "queue", "1", "4"),
			want: []string{"spec.replicas: owned by ScaledObject.keda.sh staging/queue (git: k8s/app/queue.yaml:11): only KEDA moves it, within 0..3; request has 4"}},
		{name: "a human scales KEDA's target", req: scale("alice", "queue", "0", "1"), want: []string{"only KEDA moves it"}},
		{name: "keda-operator touches another field", req: update(kedaUser, appsDeployment, "staging", "queue", ownedDeployment("queue", 1), edit(ownedDeployment("queue", 1), "nginx:1.21", "nginx:1.22")),
			want: []string{kedaUser + " owns only spec.replicas of this object (as KEDA)"}},
		{name: "keda-operator as another identity is a human", config: "presets:\n  keda: [system:serviceaccount:autoscaling:keda-operator]\n", req: scale(kedaUser, "queue", "1", "0"),
			want: []string{"only KEDA moves it"}},
		{name: "the overriding identity", config: "presets:\n  keda: [system:serviceaccount:autoscaling:keda-operator]\n", req: scale("system:serviceaccount:autoscaling:keda-operator", "queue", "1", "0"), allowed: true},
		// Flagger: the target to zero by an update, its primary copy beside it.
		{name: "Flagger scales its target to zero", req: update(flaggerUser, appsDeployment, "staging", "front", front, edit(front, "replicas: 2", "replicas: 0")), allowed: true},
		{name: "Flagger creates the primary copy", req: reqOpts{op: admissionv1.Create, user: flaggerUser, kind: appsDeployment, ns: "staging", name: "front-primary",
			obj: ownedDeployment("front-primary", 2)}, allowed: true},
		{name: "a human creates the primary copy", req: reqOpts{op: admissionv1.Create, user: "alice", kind: appsDeployment, ns: "staging", name: "front-primary",
			obj: ownedDeployment("front-primary", 2)}},
		{name: "a human scales Flagger's target", req: update("alice", appsDeployment, "staging", "front", front, edit(front, "replicas: 2", "replicas: 0")),
			want: []string{"owned by Canary.flagger.app staging/front", "only Flagger moves it; request has 0"}},
		{name: "Flagger changes the image", req: update(flaggerUser, appsDeployment, "staging", "front", front, edit(front, "nginx:1.21", "nginx:1.22")),
			want: []string{"owns only spec.replicas"}},
		// Argo Rollouts: the workloadRef to zero.
		{name: "Argo Rollouts scales the workloadRef to zero", req: scale(rolloutsUser, "api", "2", "0"), allowed: true},
		{name: "a human scales it", req: scale("alice", "api", "2", "0"), want: []string{"owned by Rollout.argoproj.io staging/api", "only Argo Rollouts moves it"}},
		{name: "Argo Rollouts scales a Deployment no Rollout names", req: scale(rolloutsUser, "nginx", "3", "0"), want: []string{"spec.replicas: git has 3, request has 0"}},
		// cert-manager's CA injector: caBundles only.
		{name: "cainjector injects a CRD's conversion caBundle", req: update(cainjectorUser, crdKind, "", "widgets.example.com", crd, crdInjected), allowed: true},
		{name: "cainjector injects a webhook configuration's caBundle", req: update(cainjectorUser, vwcKind, "", "hooks", hooks, hooksInjected), allowed: true},
		{name: "a human sets the caBundle", req: update("alice", crdKind, "", "widgets.example.com", crd, crdInjected),
			want: []string{"spec.conversion.webhook.clientConfig.caBundle: owned by CustomResourceDefinition.apiextensions.k8s.io widgets.example.com (git: k8s/crd.yaml:1): only cert-manager's CA injector moves it"}},
		{name: "a human removes it, back to git", req: update("alice", vwcKind, "", "hooks", hooksInjected, hooks), want: []string{"only cert-manager's CA injector moves it"}},
		{name: "cainjector changes the service", req: update(cainjectorUser, crdKind, "", "widgets.example.com", crdInjected, edit(crdInjected, "/convert", "/other")),
			want: []string{"owns only spec.conversion.webhook.clientConfig.caBundle"}},
		// An owner .gitgate.yaml declares.
		{name: "the declared owner sets its path", req: update("ops-tuner", cmKind, "staging", "settings", settings, edit(settings, "blue", "red")), allowed: true},
		{name: "a human sets it", req: update("alice", cmKind, "staging", "settings", settings, edit(settings, "blue", "red")),
			want: []string{"data.color: owned by .gitgate.yaml owners[0] (git: .gitgate.yaml): only ops-tuner moves it"}},
		{name: "the declared owner sets another key", req: update("ops-tuner", cmKind, "staging", "settings", settings, edit(settings, "blue", "blue, size: xl")),
			want: []string{"ops-tuner owns only data.color"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := maps.Clone(ownerFiles)
			if tt.config != "" {
				files[".gitgate.yaml"] = tt.config
			}
			h, fa := newTestHandler(t, Options{}, files)
			resp := h.Handle(t.Context(), request(t, tt.req))
			assertDecision(t, resp, tt.allowed, tt.want)
			if !tt.allowed && (len(fa.records) != 1 || fa.records[0].Decision != DecisionDenied) {
				t.Errorf("a denial must be audited once; records: %+v", fa.records)
			}
		})
	}
}

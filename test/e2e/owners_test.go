package e2e

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// The owner presets' default identities: what each controller's own install
// manifests run it as.
const (
	kedaOperator = "system:serviceaccount:keda:keda-operator"
	flagger      = "system:serviceaccount:flagger-system:flagger"
	argoRollouts = "system:serviceaccount:argo-rollouts:argo-rollouts"
	cainjector   = "system:serviceaccount:cert-manager:cert-manager-cainjector"
)

// ownerCRDs installs the owning kinds (tiny CRDs: their controllers do not run
// here; their writes are made under their identities).
func ownerCRDs(t *testing.T) {
	t.Helper()
	mustKubectl(t, cp.Admin, "apply", "-f", filepath.Join("testdata", "owners-crds.yaml"))
	mustKubectl(t, cp.Admin, "wait", "--for=condition=Established", "crd/scaledobjects.keda.sh", "crd/canaries.flagger.app", "crd/rollouts.argoproj.io")
}

// asUser returns a kubeconfig authenticated as username (a client certificate;
// gitgate judges the username, as it would a ServiceAccount token's).
func asUser(t *testing.T, username string) string {
	t.Helper()
	kc, err := cp.AddUser(username)
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

// ownedTarget is a Deployment in staging with git's replicas, and after it the
// owning object (YAML) that names it.
func ownedTarget(name string, replicas int, owner string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: staging}
spec:
  replicas: %[2]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      containers: [{name: app, image: "nginx:1.21"}]
---
`, name, replicas) + strings.ReplaceAll(owner, "NAME", name)
}

func specReplicas(t *testing.T, name string) string {
	t.Helper()
	return mustKubectl(t, cp.Admin, "-n", "staging", "get", "deployment", name, "-o", "jsonpath={.spec.replicas}")
}

// KEDA scales a ScaledObject's target to zero through the scale subresource, as
// keda-operator; a human may not scale it, and keda-operator may not touch
// anything else of it.
func TestKEDAOwnsReplicas(t *testing.T) {
	ownerCRDs(t)
	name, keda := uniqueName("keda"), asUser(t, kedaOperator)
	declare(t, name, ownedTarget(name, 1, `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: NAME, namespace: staging}
spec: {scaleTargetRef: {name: NAME}, idleReplicaCount: 0, minReplicaCount: 1, maxReplicaCount: 3}
`))
	mustKubectl(t, keda, "-n", "staging", "scale", "deployment", name, "--replicas=0")
	if got := specReplicas(t, name); got != "0" {
		t.Fatalf("spec.replicas %s after KEDA scaled to zero, want 0", got)
	}
	out, ok := kubectl(t, keda, "-n", "staging", "scale", "deployment", name, "--replicas=4")
	denied(t, out, ok, "spec.replicas: owned by ScaledObject.keda.sh staging/"+name, "only KEDA moves it, within 0..3; request has 4")
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment", name, "--replicas=1")
	denied(t, out, ok, "only KEDA moves it")
	out, ok = kubectl(t, keda, "-n", "staging", "patch", "deployment", name, "--type=merge", "-p", `{"metadata":{"labels":{"scaled":"yes"}}}`)
	denied(t, out, ok, kedaOperator+" owns only spec.replicas of this object (as KEDA)")
}

// Flagger scales its Canary's target to zero with an update of the Deployment
// and creates the -primary copy beside it; a human may do neither, and Flagger
// may not change the target's template.
func TestFlaggerOwnsReplicas(t *testing.T) {
	ownerCRDs(t)
	name, fl := uniqueName("flagger"), asUser(t, flagger)
	declare(t, name, ownedTarget(name, 2, `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: NAME, namespace: staging}
spec: {targetRef: {apiVersion: apps/v1, kind: Deployment, name: NAME}, service: {port: 80}}
`))
	t.Cleanup(func() {
		kubectl(t, cp.Admin, "-n", "staging", "delete", "deployment", name+"-primary", "--ignore-not-found", "--wait=false")
	})
	mustKubectl(t, fl, "-n", "staging", "create", "deployment", name+"-primary", "--image=nginx:1.21", "--replicas=2")
	mustKubectl(t, fl, "-n", "staging", "patch", "deployment", name, "--type=merge", "-p", `{"spec":{"replicas":0}}`)
	if got := specReplicas(t, name); got != "0" {
		t.Fatalf("spec.replicas %s after Flagger scaled to zero, want 0", got)
	}
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "create", "deployment", name+"-canary", "--image=nginx:1.21")
	denied(t, out, ok, "create: not declared in git")
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "patch", "deployment", name, "--type=merge", "-p", `{"spec":{"replicas":2}}`)
	denied(t, out, ok, "spec.replicas: owned by Canary.flagger.app staging/"+name, "only Flagger moves it")
	out, ok = kubectl(t, fl, "-n", "staging", "patch", "deployment", name, "--type=merge", "-p", `{"spec":{"template":{"metadata":{"annotations":{"flagger.app/restartedAt":"now"}}}}}`)
	denied(t, out, ok, flagger+" owns only spec.replicas")
}

// Argo Rollouts scales the Deployment its Rollout's workloadRef names to zero
// with a patch; a human may not, and Argo Rollouts may not touch anything else.
func TestArgoRolloutsScalesWorkloadRef(t *testing.T) {
	ownerCRDs(t)
	name, argo := uniqueName("rollout"), asUser(t, argoRollouts)
	declare(t, name, ownedTarget(name, 2, `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: NAME, namespace: staging}
spec: {workloadRef: {apiVersion: apps/v1, kind: Deployment, name: NAME, scaleDown: progressively}}
`))
	mustKubectl(t, argo, "-n", "staging", "patch", "deployment", name, "--type=merge", "-p", `{"spec":{"replicas":0}}`)
	if got := specReplicas(t, name); got != "0" {
		t.Fatalf("spec.replicas %s after Argo Rollouts scaled to zero, want 0", got)
	}
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment", name, "--replicas=2")
	denied(t, out, ok, "owned by Rollout.argoproj.io staging/"+name, "only Argo Rollouts moves it")
	out, ok = kubectl(t, argo, "-n", "staging", "patch", "deployment", name, "--type=merge", "-p", `{"metadata":{"annotations":{"rollout.argoproj.io/revision":"2"}}}`)
	denied(t, out, ok, argoRollouts+" owns only spec.replicas")
}

// conversionCRD is a CRD whose conversion webhook's caBundle cert-manager injects.
func conversionCRD(group string) string {
	return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.` + group + `
  annotations: {cert-manager.io/inject-ca-from: staging/widgets-ca}
spec:
  group: ` + group + `
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig: {service: {namespace: staging, name: widgets-conversion, path: /convert}}
`
}

// cert-manager's CA injector patches the caBundle of a declared CRD's conversion
// webhook; a human may not change it (not even remove it, back to git), and the
// injector may not change the rest.
func TestCAInjectorOwnsCRDCABundle(t *testing.T) {
	group, inj := uniqueName("owners")+".e2e.gitgate.dev", asUser(t, cainjector)
	crd := "crd/widgets." + group
	declare(t, "crd-"+group, conversionCRD(group))
	patch := func(path, value string) string {
		return fmt.Sprintf(`[{"op":"add","path":%q,"value":%q}]`, path, value)
	}
	const caPath = "/spec/conversion/webhook/clientConfig/caBundle"
	bundle := base64.StdEncoding.EncodeToString(gg.CA)
	mustKubectl(t, inj, "patch", crd, "--type=json", "-p", patch(caPath, bundle))
	if got := mustKubectl(t, cp.Admin, "get", crd, "-o", "jsonpath={.spec.conversion.webhook.clientConfig.caBundle}"); got != bundle {
		t.Fatalf("caBundle %q after the injector's patch", got)
	}
	out, ok := kubectl(t, cp.Admin, "patch", crd, "--type=json", "-p", `[{"op":"remove","path":"`+caPath+`"}]`)
	denied(t, out, ok, "spec.conversion.webhook.clientConfig.caBundle: owned by CustomResourceDefinition.apiextensions.k8s.io widgets."+group,
		"only cert-manager's CA injector moves it")
	out, ok = kubectl(t, inj, "patch", crd, "--type=json", "-p", patch("/spec/conversion/webhook/clientConfig/service/path", "/elsewhere"))
	denied(t, out, ok, cainjector+" owns only spec.conversion.webhook.clientConfig.caBundle")
}

// webhookConfig is a harmless ValidatingWebhookConfiguration (a group nobody
// serves, failurePolicy Ignore) whose caBundle cert-manager injects.
func webhookConfig(name string) string {
	return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: ` + name + `
  annotations: {cert-manager.io/inject-ca-from: default/` + name + `}
webhooks:
- name: check.` + name + `.e2e.gitgate.dev
  rules: [{apiGroups: [nothing.e2e.gitgate.dev], apiVersions: [v1], resources: [nothings], operations: [CREATE]}]
  clientConfig: {service: {namespace: default, name: ` + name + `}}
  failurePolicy: Ignore
  sideEffects: None
  admissionReviewVersions: [v1]
`
}

// The API server never calls admission webhooks for webhook configurations, so
// the applier and the drift scan are what keep a declared one as git says: the
// caBundle cert-manager's CA injector writes into it (and into a CRD's conversion
// webhook) survives every apply and is not drift, while a human's change to the
// rest is reverted; once .gitgate.yaml turns the preset off, the applier removes it.
func TestApplierKeepsInjectedCABundle(t *testing.T) {
	ns := uniqueName("ca-apply")
	group := ns + ".e2e.gitgate.dev"
	files := map[string]string{
		"k8s/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n",
		"k8s/hooks.yaml":     webhookConfig(ns),
		"k8s/crd.yaml":       strings.ReplaceAll(conversionCRD(group), "staging", ns),
	}
	r, err := cluster.NewRepo(t.TempDir(), filepath.Join(t.TempDir(), "ca-repo"))
	if err != nil {
		t.Fatal(err)
	}
	for rel, content := range files {
		if err := r.WriteFile(rel, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit("a webhook configuration and a CRD cert-manager injects into"); err != nil {
		t.Fatal(err)
	}
	startGitgate(t, ns, cp.Sync, "--webhook=false", "--repo="+r.Dir, "--path=k8s", "--interval=1s", "--apply", "--apply-interval=1s",
		"--drift-interval=0", "--exposure-interval=0", "--leader-elect", "--leader-election-namespace=default",
		"--leader-election-id="+ns, "--inventory=default/"+ns)
	t.Cleanup(func() {
		kubectl(t, cp.Sync, "delete", "validatingwebhookconfiguration", ns, "crd/widgets."+group, "--wait=false", "--ignore-not-found")
		kubectl(t, cp.Sync, "delete", "namespace", ns, "--wait=false")
	})
	vwc, crd := "validatingwebhookconfiguration/"+ns, "crd/widgets."+group
	eventually(t, 60*time.Second, func() string {
		if _, ok := kubectl(t, cp.Admin, "get", vwc, crd); !ok {
			return "the applier has not created " + vwc + " and " + crd
		}
		return ""
	})
	inj, bundle := asUser(t, cainjector), base64.StdEncoding.EncodeToString(gg.CA)
	mustKubectl(t, inj, "patch", vwc, "--type=json", "-p", `[{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"`+bundle+`"}]`)
	mustKubectl(t, inj, "patch", crd, "--type=json", "-p", `[{"op":"add","path":"/spec/conversion/webhook/clientConfig/caBundle","value":"`+bundle+`"}]`)
	mustKubectl(t, cp.Admin, "patch", vwc, "--type=json", "-p", `[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Fail"}]`)
	eventually(t, 30*time.Second, func() string {
		if got := mustKubectl(t, cp.Admin, "get", vwc, "-o", "jsonpath={.webhooks[0].failurePolicy}"); got != "Ignore" {
			return "the applier has not reverted the human's failurePolicy " + got
		}
		return ""
	})
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if got := mustKubectl(t, cp.Admin, "get", vwc, "-o", "jsonpath={.webhooks[0].clientConfig.caBundle}"); got != bundle {
			t.Fatalf("the applier took the injected caBundle of %s: %q", vwc, got)
		}
		if got := mustKubectl(t, cp.Admin, "get", crd, "-o", "jsonpath={.spec.conversion.webhook.clientConfig.caBundle}"); got != bundle {
			t.Fatalf("the applier took the injected caBundle of %s: %q", crd, got)
		}
	}
	out, err := gitgateCLI(t, "drift", "--repo="+r.Dir, "--path=k8s", "--kubeconfig="+cp.Admin)
	if err != nil || strings.Contains(out, "caBundle") {
		live, _ := kubectl(t, cp.Admin, "get", vwc, "-o", "yaml", "--show-managed-fields")
		t.Errorf("gitgate drift counts the injected caBundles (err %v):\n%s\nlive:\n%s", err, out, live)
	}

	// With the preset turned off in .gitgate.yaml, git is the caBundle's only
	// source again: the applier removes what the injector wrote.
	if err := r.WriteFile(".gitgate.yaml", "presets:\n  certManager: []\n"); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit("no CA injection"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, func() string {
		if got := mustKubectl(t, cp.Admin, "get", vwc, "-o", "jsonpath={.webhooks[0].clientConfig.caBundle}"); got != "" {
			return "the applier keeps the caBundle of " + vwc + " although no preset owns it"
		}
		return ""
	})
}

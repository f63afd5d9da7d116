package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Every write path kubectl has, against git's nginx Deployment.
func TestWritePathsAreGated(t *testing.T) {
	d := []string{"-n", "staging"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"strategic merge patch", []string{"patch", "deployment/nginx-deployment", "-p", `{"spec":{"replicas":6}}`}, "spec.replicas: git has 3, request has 6"},
		{"merge patch", []string{"patch", "deployment/nginx-deployment", "--type=merge", "-p", `{"spec":{"replicas":6}}`}, "spec.replicas"},
		{"json patch", []string{"patch", "deployment/nginx-deployment", "--type=json", "-p", `[{"op":"replace","path":"/spec/replicas","value":6}]`}, "spec.replicas"},
		{"set image", []string{"set", "image", "deployment/nginx-deployment", "nginx=nginx:latest"}, `containers[name=nginx].image: git has "nginx:1.21", request has "nginx:latest"`},
		{"label", []string{"label", "deployment/nginx-deployment", "team=red"}, "metadata.labels.team: not declared in git"},
		{"annotate", []string{"annotate", "deployment/nginx-deployment", "note=hi"}, "metadata.annotations.note"},
		{"label overwrite of a declared label", []string{"label", "--overwrite", "deployment/nginx-deployment", "app=other"}, `metadata.labels.app: git has "nginx", request has "other"`},
		{"forged management label", []string{"label", "deployment/nginx-deployment", "gitgate.dev/managed=false"}, "only gitgate's sync identity"},
		{"delete --all", []string{"delete", "configmap", "--all", "--wait=false"}, "delete: the object is declared in git"},
		{"dry-run=server gets the same answer", []string{"scale", "deployment/nginx-deployment", "--replicas=8", "--dry-run=server"}, "spec.replicas: git has 3, request has 8"},
		{"server-side apply with a forged field manager", []string{"apply", "--server-side", "--force-conflicts", "--field-manager=gitgate", "-f", "-"}, "spec.replicas: git has 3, request has 2"},
		{"custom resource update", []string{"patch", "greeting/hello", "--type=merge", "-p", `{"spec":{"message":"hacked"}}`}, `spec.message: git has "hello from git", request has "hacked"`},
		{"custom resource scale", []string{"scale", "greeting/hello", "--replicas=4"}, "spec.replicas: git has 1, request has 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := cp.Kubectl(cp.Admin, append(d, tt.args...)...)
			if tt.args[len(tt.args)-1] == "-" {
				cmd.Stdin = strings.NewReader(strings.Replace(readGit(t, deployFile), "replicas: 3", "replicas: 2", 1))
			}
			out, err := cmd.CombinedOutput()
			denied(t, string(out), err == nil, tt.want)
		})
	}
	// None of it got through.
	out := mustKubectl(t, cp.Admin, "-n", "staging", "get", "deployment/nginx-deployment", "-o", "jsonpath={.spec.replicas} {.metadata.labels}")
	if !strings.HasPrefix(out, "3 ") || strings.Contains(out, "team") {
		t.Fatalf("drift got through: %s", out)
	}
}

func TestRepairBackToGitIsAllowed(t *testing.T) {
	mustKubectl(t, cp.Sync, "-n", "staging", "patch", "configmap/nginx-config", "--type=merge", "-p", `{"data":{"greeting":"drifted"}}`)
	mustKubectl(t, cp.Admin, "-n", "staging", "patch", "configmap/nginx-config", "--type=merge", "-p", `{"data":{"greeting":"hello from git"}}`)
}

func TestDryRunIsAuditedAsDryRun(t *testing.T) {
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=11", "--dry-run=server")
	denied(t, out, ok, "request has 11")
	eventually(t, 5*time.Second, func() string {
		for _, l := range auditLines(t) {
			if strings.Contains(l, `"new":11`) {
				if !strings.Contains(l, `"dryRun":true`) {
					return "audit line not marked dry-run: " + l
				}
				return ""
			}
		}
		return "no audit line for the dry-run"
	})
}

func TestUnmanagedKindInGovernedNamespace(t *testing.T) {
	// git declares no Secrets: creating one is not gitgate's business (rule 4 only
	// covers kinds git manages). ReplicaSets made by controllers are covered by
	// TestControllersKeepWorking.
	name := fmt.Sprintf("s-%d", time.Now().UnixNano())
	mustKubectl(t, cp.Admin, "-n", "staging", "create", "secret", "generic", name, "--from-literal=a=b")
}

// A custom resource's list-map keys come from its CRD's schema (OpenAPI v3, loaded
// lazily per GroupVersion): a new item is reported by its key, not as "the list".
func TestCustomResourceListMapKeys(t *testing.T) {
	patch := `{"spec":{"rules":[{"name":"a","weight":1},{"name":"b","weight":2}]}}`
	eventually(t, 30*time.Second, func() string {
		out, ok := kubectl(t, cp.Admin, "-n", "staging", "patch", "greeting/hello", "--type=merge", "-p", patch, "--dry-run=server")
		if !ok && strings.Contains(out, "spec.rules[name=b].weight: not declared in git") {
			return ""
		}
		return out
	})
}

// A kustomize overlay's patch sets the replicas and its images: entry the tag: a
// human scaling or re-imaging the rendered Deployment is sent to those lines, not to
// the base.
func TestKustomizeDenialPointsAtTheOverlay(t *testing.T) {
	files := map[string]string{
		"k8s/shop/base/kustomization.yaml": "resources: [deploy.yaml]\n",
		"k8s/shop/base/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 1
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: nginx:1.21
`,
		"k8s/shop/staging/kustomization.yaml": `namespace: staging
namePrefix: staging-
resources: [../base]
patches:
- path: replicas.yaml
images:
- name: nginx
  newTag: "1.27"
`,
		"k8s/shop/staging/replicas.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 4
`,
	}
	commitAndWait(t, files, "a kustomized shop", false)
	t.Cleanup(func() {
		kubectl(t, cp.Sync, "-n", "staging", "delete", "deployment/staging-shop", "--ignore-not-found")
		rm := map[string]string{}
		for rel := range files {
			rm[rel] = ""
		}
		commitAndWait(t, rm, "remove the kustomized shop", false)
	})
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-k", gitFile("k8s/shop/staging"))
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/staging-shop", "--replicas=9")
	denied(t, out, ok, "spec.replicas: git has 4, request has 9", "k8s/shop/staging/replicas.yaml:6")
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "set", "image", "deployment/staging-shop", "shop=nginx:latest")
	denied(t, out, ok, `git has "nginx:1.27"`, "k8s/shop/staging/kustomization.yaml:7") // newTag
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "label", "deployment/staging-shop", "team=x")
	denied(t, out, ok, "metadata.labels.team")
}

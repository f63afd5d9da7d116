package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const deployFile = "k8s/app/deployment.yaml"

func TestApplyGitFileIsAllowed(t *testing.T) {
	out := mustKubectl(t, cp.Admin, "apply", "-f", gitFile(deployFile))
	if !strings.Contains(out, "nginx-deployment") {
		t.Fatalf("unexpected output: %s", out)
	}
}

func TestApplyDriftIsDenied(t *testing.T) {
	tests := []struct {
		name    string
		replace []string
		want    []string
	}{
		{"replicas", []string{"replicas: 3", "replicas: 5"}, []string{"spec.replicas: git has 3, request has 5", deployFile + ":9"}},
		{"image", []string{"nginx:1.21", "nginx:1.22"}, []string{`spec.template.spec.containers[name=nginx].image: git has "nginx:1.21", request has "nginx:1.22"`, deployFile + ":20"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ok := kubectl(t, cp.Admin, "apply", "-f", variant(t, deployFile, tt.replace...))
			denied(t, out, ok, append(tt.want, "Deployment.apps staging/nginx-deployment", "Change it in git")...)
		})
	}
}

func TestScaleIsDenied(t *testing.T) {
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=7")
	denied(t, out, ok, "spec.replicas: git has 3, request has 7", deployFile)
}

func TestDeleteIsDenied(t *testing.T) {
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "delete", "configmap/nginx-config", "--wait=false")
	denied(t, out, ok, "delete: the object is declared in git", "k8s/app/configmap.yaml:1")
}

func TestCreateUndeclaredIsDenied(t *testing.T) {
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "create", "configmap", "not-in-git", "--from-literal=a=b")
	denied(t, out, ok, "not declared in git", "ConfigMap")
	// The same kind in a namespace git does not govern is not gitgate's business.
	mustKubectl(t, cp.Admin, "-n", "default", "create", "configmap", "free-"+fmt.Sprint(time.Now().UnixNano()), "--from-literal=a=b")
}

func TestSyncUserIsAllowed(t *testing.T) {
	mustKubectl(t, cp.Sync, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=4")
	mustKubectl(t, cp.Sync, "-n", "staging", "create", "configmap", "sync-made", "--from-literal=a=b")
	mustKubectl(t, cp.Sync, "-n", "staging", "delete", "configmap", "sync-made")
	// A human may now repair the drift back to git's value...
	mustKubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=3")
	// ...and the object is back at git's state.
	out := mustKubectl(t, cp.Admin, "-n", "staging", "get", "deployment/nginx-deployment", "-o", "jsonpath={.spec.replicas}")
	if out != "3" {
		t.Fatalf("replicas = %s, want 3", out)
	}
}

func TestNewCommitIsEnforced(t *testing.T) {
	const file = "k8s/app/hello.yaml"
	manifest := func(replicas int) string {
		return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
  namespace: staging
spec:
  replicas: %d
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
      - name: hello
        image: nginx:1.21
`, replicas)
	}
	commit(t, file, manifest(1), "add hello")
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", gitFile(file))
	// Once gitgate serves the first commit, hello is managed: scaling by hand is denied.
	eventually(t, 20*time.Second, func() string {
		out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/hello", "--replicas=5", "--dry-run=server")
		if !ok && strings.Contains(out, "git has 1") {
			return ""
		}
		return out
	})
	commit(t, file, manifest(2), "scale hello to 2")
	// Within a few poll intervals the new value is accepted (a move toward git)...
	eventually(t, 20*time.Second, func() string {
		out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/hello", "--replicas=2")
		if ok {
			return ""
		}
		return out
	})
	// ...and the old one is denied.
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/hello", "--replicas=1")
	denied(t, out, ok, "spec.replicas: git has 2, request has 1", file)
}

func commit(t *testing.T, rel, content, msg string) {
	t.Helper()
	if err := repo.WriteFile(rel, content); err != nil {
		t.Fatal(err)
	}
	if err := repo.Commit(msg); err != nil {
		t.Fatal(err)
	}
}

func TestControllersKeepWorking(t *testing.T) {
	rsOf := func() string {
		out, _ := kubectl(t, cp.Admin, "-n", "staging", "get", "rs", "-l", "app=nginx", "-o", "jsonpath={range .items[*]}{.spec.template.spec.containers[0].image}{\" \"}{end}")
		return out
	}
	eventually(t, 60*time.Second, func() string {
		rev := mustKubectl(t, cp.Admin, "-n", "staging", "get", "deployment/nginx-deployment", "-o", `jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision}`)
		if rev == "" || !strings.Contains(rsOf(), "nginx:1.21") {
			return fmt.Sprintf("revision %q, replica sets %q", rev, rsOf())
		}
		return ""
	})
	// A new image applied by the sync identity rolls out a second ReplicaSet.
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", variant(t, deployFile, "nginx:1.21", "nginx:1.25"))
	t.Cleanup(func() {
		mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", gitFile(deployFile))
	})
	eventually(t, 60*time.Second, func() string {
		if rs := rsOf(); !strings.Contains(rs, "nginx:1.25") || !strings.Contains(rs, "nginx:1.21") {
			return "replica sets: " + rs
		}
		return ""
	})
}

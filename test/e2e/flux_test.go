package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// fluxSetup is one Flux test's world: its repository, the gitgate enforcing it,
// and the GitRepository and Kustomization (both in flux-system, named ns) that
// make Flux apply ./k8s of it as Flux's own ServiceAccount.
type fluxSetup struct {
	ns   string
	repo *cluster.Repo
	g    *cluster.Gitgate
	rev  string // the revision Flux applied last
}

func newFluxSetup(t *testing.T, prefix string) *fluxSetup {
	t.Helper()
	needFlux(t)
	s := &fluxSetup{ns: uniqueName(prefix)}
	s.repo = fluxRepo(t, s.ns, map[string]string{
		"flux/" + s.ns + ".yaml": kustomization(cluster.FluxNamespace, s.ns, s.ns, "./k8s", ""),
	})
	s.g = fluxGitgate(t, s.repo, s.ns, "--flux-kustomization="+cluster.FluxNamespace+"/"+s.ns, "--flux-skew-interval=500ms")
	s.rev = publish(t, s.repo, cluster.FluxNamespace, s.ns)
	mustKubectl(t, cp.Admin, "apply", "-f", gitFileOf(s.repo, "flux/"+s.ns+".yaml"))
	t.Cleanup(func() {
		kubectl(t, cp.Admin, "-n", cluster.FluxNamespace, "delete", "--wait=false", "--ignore-not-found", "kustomization.kustomize.toolkit.fluxcd.io/"+s.ns, "gitrepository.source.toolkit.fluxcd.io/"+s.ns)
	})
	waitFluxApplied(t, cluster.FluxNamespace, s.ns, s.rev)
	return s
}

// commit commits files, waits until gitgate enforces the commit, and publishes it
// to Flux.
func (s *fluxSetup) commit(t *testing.T, msg string, files map[string]string) string {
	t.Helper()
	head := commitFiles(t, s.repo, msg, files)
	if err := s.g.WaitCommit(head, false, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	s.rev = publish(t, s.repo, cluster.FluxNamespace, s.ns)
	return head
}

// reconcile asks Flux to reconcile now, as `flux reconcile kustomization` does,
// and waits until it has handled the request and is Ready at s.rev.
func (s *fluxSetup) reconcile(t *testing.T) {
	t.Helper()
	at := time.Now().Format(time.RFC3339Nano)
	mustKubectl(t, cp.Admin, "-n", cluster.FluxNamespace, "annotate", "--overwrite", "kustomization.kustomize.toolkit.fluxcd.io/"+s.ns, "reconcile.fluxcd.io/requestedAt="+at)
	eventually(t, 60*time.Second, func() string {
		ready, applied, handled := ksStatus(t, cluster.FluxNamespace, s.ns)
		if handled != at || ready != "True:ReconciliationSucceeded" || applied != s.rev {
			return "Kustomization " + s.ns + ": Ready " + ready + ", applied " + applied + ", handled " + handled + ", want " + at
		}
		return ""
	})
}

// Flux applies git as its own ServiceAccount and gitgate lets it; a human's
// drift (scale, patch, edit) is denied with git's file:line; Flux reconciles again
// and again without a single denial; Flux's prune of an object removed from git
// is allowed.
func TestFluxAppliesGitgateEnforces(t *testing.T) {
	s := newFluxSetup(t, "flux-apply")
	if got, _ := kubectl(t, cp.Admin, "-n", s.ns, "get", "deployment", "nginx-deployment", "-o", "jsonpath={.metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/name}"); got != s.ns {
		t.Fatalf("the Deployment was not applied by Flux's Kustomization %s: label %q", s.ns, got)
	}
	head, err := s.repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	waitSkew(t, s.g, cluster.FluxNamespace+"/"+s.ns, head, head)
	out, ok := kubectl(t, cp.Admin, "-n", s.ns, "scale", "deployment", "nginx-deployment", "--replicas=5")
	denied(t, out, ok, "k8s/app/deployment.yaml:", "spec.replicas")
	out, ok = kubectl(t, cp.Admin, "-n", s.ns, "patch", "service", "nginx", "--type=merge", "-p", `{"spec":{"ports":[{"port":8080,"targetPort":80}]}}`)
	denied(t, out, ok, "k8s/app/service.yaml:")
	edit := cp.Kubectl(cp.Admin, "-n", s.ns, "edit", "deployment", "nginx-deployment")
	edit.Env = append(os.Environ(), "KUBE_EDITOR=sed -i s/nginx:1.21/nginx:1.22/")
	outb, err := edit.CombinedOutput()
	denied(t, string(outb), err == nil, "k8s/app/deployment.yaml:", "nginx:1.21")

	before := deniedCount(t, s.g)
	for range 3 {
		s.reconcile(t)
	}
	if after := deniedCount(t, s.g); after != before {
		t.Errorf("gitgate denied %v writes while Flux reconciled, want none", after-before)
	}
	if d := fluxDenials(t, s.g, cluster.FluxUser); len(d) > 0 {
		t.Errorf("gitgate denied Flux:\n%s", strings.Join(d, "\n"))
	}

	s.commit(t, "remove the service", map[string]string{"k8s/app/service.yaml": ""})
	eventually(t, 60*time.Second, func() string {
		if out, ok := kubectl(t, cp.Admin, "-n", s.ns, "get", "service", "nginx"); ok || !strings.Contains(out, "NotFound") {
			return "Flux has not pruned the service removed from git: " + out
		}
		return ""
	})
	waitFluxApplied(t, cluster.FluxNamespace, s.ns, s.rev)
	if d := fluxDenials(t, s.g, cluster.FluxUser); len(d) > 0 {
		t.Errorf("gitgate denied Flux's prune:\n%s", strings.Join(d, "\n"))
	}
}

// While Flux is suspended, git moves on: gitgate enforces the new commit at
// once, so a human may repair the cluster back to git (and only to git); when
// Flux resumes it applies the same commit without a denial.
func TestFluxHumanRepairToGit(t *testing.T) {
	s := newFluxSetup(t, "flux-repair")
	suspend := func(v bool) {
		mustKubectl(t, cp.Admin, "-n", cluster.FluxNamespace, "patch", "kustomization.kustomize.toolkit.fluxcd.io/"+s.ns, "--type=merge", "-p", fmt.Sprintf(`{"spec":{"suspend":%v}}`, v))
	}
	suspend(true)
	applied := s.rev
	old, err := s.repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	head := s.commit(t, "nginx 1.22", map[string]string{"k8s/app/deployment.yaml": strings.Replace(readRepoFile(t, s.repo, "k8s/app/deployment.yaml"), "nginx:1.21", "nginx:1.22", 1)})
	if _, got, _ := ksStatus(t, cluster.FluxNamespace, s.ns); got != applied {
		t.Fatalf("suspended Flux applied %s, want still %s", got, applied)
	}
	// The skew is visible while Flux is behind, and says for how long.
	ks := cluster.FluxNamespace + "/" + s.ns
	waitSkew(t, s.g, ks, old, head)
	eventually(t, 10*time.Second, func() string {
		if v := gitgateMetric(t, s.g, `gitgate_flux_skew_seconds{kustomization="`+ks+`"}`); v < 1 {
			return fmt.Sprintf("gitgate_flux_skew_seconds %v, want at least 1 while Flux is suspended", v)
		}
		return ""
	})
	out, ok := kubectl(t, cp.Admin, "-n", s.ns, "set", "image", "deployment/nginx-deployment", "nginx=nginx:1.23")
	denied(t, out, ok, "k8s/app/deployment.yaml:", "nginx:1.22")
	// Flux owns the field it applied: the human takes it over (--force-conflicts).
	mustKubectl(t, cp.Admin, "apply", "--server-side", "--force-conflicts", "--field-manager=repair", "-f", gitFileOf(s.repo, "k8s/app/deployment.yaml"))
	if got, _ := kubectl(t, cp.Admin, "-n", s.ns, "get", "deployment", "nginx-deployment", "-o", "jsonpath={.spec.template.spec.containers[0].image}"); got != "nginx:1.22" {
		t.Fatalf("after the repair the image is %q, want git's nginx:1.22", got)
	}

	before := deniedCount(t, s.g)
	suspend(false)
	waitFluxApplied(t, cluster.FluxNamespace, s.ns, s.rev)
	waitSkew(t, s.g, ks, head, head)
	s.reconcile(t)
	if after := deniedCount(t, s.g); after != before {
		t.Errorf("gitgate denied %v writes after Flux resumed, want none", after-before)
	}
	if d := fluxDenials(t, s.g, cluster.FluxUser); len(d) > 0 {
		t.Errorf("gitgate denied Flux:\n%s", strings.Join(d, "\n"))
	}
}

// Deleting a Kustomization with prune deletes everything Flux created from it
// (the Deployment, the Service and the Namespace itself) under the gate, where a
// human may delete none of them.
func TestFluxKustomizationDeletionCleansUp(t *testing.T) {
	s := newFluxSetup(t, "flux-delete")
	out, ok := kubectl(t, cp.Admin, "-n", s.ns, "delete", "deployment", "nginx-deployment", "--wait=false")
	denied(t, out, ok, "k8s/app/deployment.yaml:")
	mustKubectl(t, cp.Admin, "-n", cluster.FluxNamespace, "delete", "kustomization.kustomize.toolkit.fluxcd.io/"+s.ns, "--wait=false")
	eventually(t, 120*time.Second, func() string {
		for _, obj := range []string{"namespace/" + s.ns, "kustomization.kustomize.toolkit.fluxcd.io/" + s.ns} {
			args := []string{"get", obj, "--ignore-not-found", "-o", "name"}
			if !strings.HasPrefix(obj, "namespace/") {
				args = append([]string{"-n", cluster.FluxNamespace}, args...)
			}
			if out, _ := kubectl(t, cp.Admin, args...); strings.TrimSpace(out) != "" {
				return obj + " still exists: " + out
			}
		}
		return ""
	})
	if d := fluxDenials(t, s.g, cluster.FluxUser); len(d) > 0 {
		t.Errorf("gitgate denied Flux's cleanup:\n%s", strings.Join(d, "\n"))
	}
}

func gitFileOf(r *cluster.Repo, rel string) string { return r.Dir + "/" + rel }

func readRepoFile(t *testing.T, r *cluster.Repo, rel string) string {
	t.Helper()
	data, err := os.ReadFile(gitFileOf(r, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// gitgateAudit returns g's audit log lines.
func gitgateAudit(t *testing.T, g *cluster.Gitgate) []string {
	t.Helper()
	data, err := os.ReadFile(g.AuditLog)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

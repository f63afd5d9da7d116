package webhook

import (
	"fmt"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// fluxKustomization is a Flux Kustomization in git, in namespace staging.
func fluxKustomization(name, path, serviceAccount string) string {
	return fmt.Sprintf(`apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: %s, namespace: staging}
spec:
  interval: 1m
  path: %s
  prune: true
  serviceAccountName: %q
  sourceRef: {kind: GitRepository, name: repo}
`, name, path, serviceAccount)
}

func newTenantHandler(t *testing.T, kustomizations ...string) *Handler {
	t.Helper()
	files := []gitindex.File{
		{Path: "k8s/app/deployment.yaml", Data: []byte(gitDeployment)},
		{Path: "k8s/namespaces/staging.yaml", Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: staging}\n")},
	}
	for i, k := range kustomizations {
		files = append(files, gitindex.File{Path: fmt.Sprintf("flux/k%d.yaml", i), Data: []byte(k)})
	}
	snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", files, gitindex.BuildOptions{Repo: "repo"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Options{Identities: Identities{SyncUsers: []string{"flux"}}, Auditor: &fakeAuditor{}, Revisions: serving(t, snap)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A Kustomization in git with spec.serviceAccountName makes that ServiceAccount
// a sync identity for the objects declared under its spec.path, and for nothing else.
func TestFluxTenantScope(t *testing.T) {
	const tenant = "system:serviceaccount:staging:tenant"
	scaled := edit(liveDeployment, "replicas: 3", "replicas: 5")
	labelled := "apiVersion: v1\nkind: Namespace\nmetadata: {name: staging, labels: {team: x}}\n"
	namespace := "apiVersion: v1\nkind: Namespace\nmetadata: {name: staging}\n"
	appOnly := fluxKustomization("app", "./k8s/app", "tenant")
	tests := []struct {
		name           string
		kustomizations []string
		req            reqOpts
		allowed        bool
	}{
		{name: "tenant changes an object in its path", kustomizations: []string{appOnly},
			req:     reqOpts{op: admissionv1.Update, user: tenant, kind: "apps/v1/Kind=Deployment", resource: "deployments", ns: "staging", name: "nginx", old: liveDeployment, obj: scaled},
			allowed: true},
		{name: "tenant deletes an object in its path (prune)", kustomizations: []string{appOnly},
			req:     reqOpts{op: admissionv1.Delete, user: tenant, kind: "apps/v1/Kind=Deployment", resource: "deployments", ns: "staging", name: "nginx", old: liveDeployment},
			allowed: true},
		{name: "tenant changes an object outside its path", kustomizations: []string{appOnly},
			req: reqOpts{op: admissionv1.Update, user: tenant, kind: "v1/Kind=Namespace", resource: "namespaces", ns: "staging", name: "staging", old: namespace, obj: labelled}},
		{name: "a path of the whole repository covers the namespace too", kustomizations: []string{fluxKustomization("all", "./", "tenant")},
			req:     reqOpts{op: admissionv1.Update, user: tenant, kind: "v1/Kind=Namespace", resource: "namespaces", ns: "staging", name: "staging", old: namespace, obj: labelled},
			allowed: true},
		{name: "a ServiceAccount of the same name in another namespace", kustomizations: []string{appOnly},
			req: reqOpts{op: admissionv1.Update, user: "system:serviceaccount:prod:tenant", kind: "apps/v1/Kind=Deployment", resource: "deployments", ns: "staging", name: "nginx", old: liveDeployment, obj: scaled}},
		{name: "a Kustomization without a ServiceAccount derives none", kustomizations: []string{fluxKustomization("app", "./k8s/app", "")},
			req: reqOpts{op: admissionv1.Update, user: tenant, kind: "apps/v1/Kind=Deployment", resource: "deployments", ns: "staging", name: "nginx", old: liveDeployment, obj: scaled}},
		{name: "subresources stay judged", kustomizations: []string{appOnly},
			req: reqOpts{op: admissionv1.Update, user: tenant, kind: "autoscaling/v1/Kind=Scale", resource: "apps/deployments", sub: "scale", ns: "staging", name: "nginx",
				old: scaleObj("3"), obj: scaleObj("5")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTenantHandler(t, tt.kustomizations...)
			resp := h.Handle(t.Context(), request(t, tt.req))
			if resp.Allowed != tt.allowed {
				t.Errorf("allowed = %v, want %v (%s)", resp.Allowed, tt.allowed, resp.Result.Message)
			}
		})
	}
}

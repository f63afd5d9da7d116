package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

const podsNS = "pods-e2e"

// Subresources that write a declared Pod: eviction deletes it, binding sets its
// node, resize changes its resources. Each is denied and audited; nothing changes.
func TestPodSubresources(t *testing.T) {
	g := startOwnGate(t, "pods", podsNS, []gitFileContent{
		{"k8s/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + podsNS + "}\n"},
		{"k8s/pod.yaml", `apiVersion: v1
kind: Pod
metadata: {name: worker, namespace: ` + podsNS + `}
spec:
  containers:
  - name: c
    image: busybox:1.36
    resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}
`},
	})
	body := func(name, content string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := "/api/v1/namespaces/" + podsNS + "/pods/worker/"
	tests := []struct {
		name     string
		args     []string
		want     string
		sub      string
		jsonpath string
		unchange string
	}{
		{name: "eviction", sub: "eviction", want: "evict: the Pod is declared in git",
			args: []string{"create", "--raw", base + "eviction", "-f", body("eviction.json",
				`{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"worker","namespace":"`+podsNS+`"}}`)},
			jsonpath: "{.metadata.deletionTimestamp}", unchange: ""},
		{name: "binding", sub: "binding", want: "spec.nodeName",
			args: []string{"create", "--raw", base + "binding", "-f", body("binding.json",
				`{"apiVersion":"v1","kind":"Binding","metadata":{"name":"worker"},"target":{"apiVersion":"v1","kind":"Node","name":"node-x"}}`)},
			jsonpath: "{.spec.nodeName}", unchange: ""},
		{name: "resize", sub: "resize", want: "resources.limits.cpu",
			args: []string{"-n", podsNS, "patch", "pod/worker", "--subresource=resize", "-p",
				`{"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":"2"}}}]}}`},
			jsonpath: "{.spec.containers[0].resources.limits.cpu}", unchange: "200m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ok := kubectl(t, cp.Admin, tt.args...)
			denied(t, out, ok, tt.want)
			g.auditedDenial(t, `"subResource":"`+tt.sub+`"`, `"name":"worker"`)
			if got := mustKubectl(t, cp.Admin, "-n", podsNS, "get", "pod/worker", "-o", "jsonpath="+tt.jsonpath); got != tt.unchange {
				t.Errorf("%s changed the Pod: %s is %q, want %q", tt.name, tt.jsonpath, got, tt.unchange)
			}
		})
	}
}

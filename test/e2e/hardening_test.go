package e2e

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// kubectl debug adds an ephemeral container through pods/ephemeralcontainers; on a
// Pod git declares that is a change like any other.
func TestEphemeralContainersAreGated(t *testing.T) {
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "debug", "pod/toolbox", "--image=busybox:1.36", "--attach=false", "--container=dbg")
	denied(t, out, ok, "spec.ephemeralContainers", "(subresource ephemeralcontainers)")
}

// The webhook's namespaceSelector keys on kubernetes.io/metadata.name, which the API
// server sets from the namespace's name: relabelling cannot take a namespace out of
// gitgate's reach, and any other label on a namespace git declares is drift.
func TestNamespaceSelectorCannotBeEscaped(t *testing.T) {
	kubectl(t, cp.Admin, "label", "namespace", "staging", "--overwrite", "kubernetes.io/metadata.name=kube-system")
	out := mustKubectl(t, cp.Admin, "get", "namespace", "staging", "-o", `jsonpath={.metadata.labels.kubernetes\.io/metadata\.name}`)
	if out != "staging" {
		t.Fatalf("namespace relabelled to %q", out)
	}
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=9")
	denied(t, out, ok, "spec.replicas")
	out, ok = kubectl(t, cp.Admin, "label", "namespace", "staging", "gitgate-optout=true")
	denied(t, out, ok, "metadata.labels.gitgate-optout")
}

// An object git declares stays gated while it terminates: a finalizer holds it, and
// a deletionTimestamp is no licence to change it (finalizer games). Deleting it
// again is allowed — it is already going.
func TestTerminatingObjectIsStillGated(t *testing.T) {
	const rel = "k8s/app/held.yaml"
	commitAndWait(t, map[string]string{rel: `apiVersion: v1
kind: ConfigMap
metadata:
  name: held
  namespace: staging
  finalizers: [e2e.gitgate.dev/hold]
data:
  mode: git
`}, "a held configmap", false)
	t.Cleanup(func() {
		kubectl(t, cp.Sync, "-n", "staging", "patch", "configmap/held", "--type=json", "-p", `[{"op":"remove","path":"/metadata/finalizers"}]`)
		commitAndWait(t, map[string]string{rel: ""}, "drop the held configmap", false)
	})
	mustKubectl(t, cp.Sync, "apply", "--server-side", "--field-manager=gitgate", "-f", gitFile(rel))
	mustKubectl(t, cp.Sync, "-n", "staging", "delete", "configmap/held", "--wait=false")
	if ts := mustKubectl(t, cp.Admin, "-n", "staging", "get", "configmap/held", "-o", "jsonpath={.metadata.deletionTimestamp}"); ts == "" {
		t.Fatal("configmap/held is not terminating")
	}
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "patch", "configmap/held", "--type=merge", "-p", `{"data":{"mode":"hand"}}`)
	denied(t, out, ok, "data.mode: git has", rel)
	out, ok = kubectl(t, cp.Admin, "-n", "staging", "patch", "configmap/held", "--type=merge", "-p", `{"metadata":{"labels":{"smuggled":"yes"}}}`)
	denied(t, out, ok, "metadata.labels.smuggled")
	mustKubectl(t, cp.Admin, "-n", "staging", "delete", "configmap/held", "--wait=false")
}

// The webhook server speaks TLS 1.2 or later (1.3 when the client can) and HTTP/1.1
// only: no HTTP/2, whose stream multiplexing the API server does not need and whose
// rapid-reset class of attacks the webhook then cannot be hit by.
func TestWebhookTLSFloorAndHTTP1(t *testing.T) {
	addr := fmt.Sprintf("127.0.0.1:%d", gg.Port)
	old := gg.TLSConfig()
	old.MinVersion, old.MaxVersion = tls.VersionTLS10, tls.VersionTLS11 //nolint:gosec // trying what must be refused
	if conn, err := tls.Dial("tcp", addr, old); err == nil {
		conn.Close()
		t.Fatal("TLS 1.1 handshake accepted")
	}
	cfg := gg.TLSConfig()
	cfg.NextProtos = []string{"h2", "http/1.1"}
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	st := conn.ConnectionState()
	if st.Version != tls.VersionTLS13 {
		t.Errorf("negotiated %s, want TLS 1.3", tls.VersionName(st.Version))
	}
	if st.NegotiatedProtocol == "h2" {
		t.Error("HTTP/2 negotiated")
	}
}

// On SIGTERM gitgate reports not-ready first and keeps answering — on connections
// already open too — for --shutdown-delay, then finishes in-flight requests and
// exits 0: a rolling update never turns into failed admission calls.
func TestGracefulShutdownDrains(t *testing.T) {
	g := startGitgate(t, "drain", cp.Sync,
		"--repo="+repo.Dir, "--path=k8s", "--drift-interval=0", "--exposure-interval=0", "--shutdown-delay=3s")
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: g.TLSConfig(), MaxIdleConnsPerHost: 1}}
	var conns atomic.Int32
	review := func() string {
		body := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"drain-1",` +
			`"kind":{"group":"","version":"v1","kind":"ConfigMap"},"resource":{"group":"","version":"v1","resource":"configmaps"},` +
			`"namespace":"staging","name":"drain","operation":"CREATE","userInfo":{"username":"alice"},` +
			`"object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"drain","namespace":"staging"}}}}`
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("https://127.0.0.1:%d/validate", g.Port), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(i httptrace.GotConnInfo) {
				if !i.Reused {
					conns.Add(1)
				}
			},
		}))
		resp, err := client.Do(req)
		if err != nil {
			return "error: " + err.Error()
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(data), `"allowed":false`) {
			return fmt.Sprintf("%d %s", resp.StatusCode, data)
		}
		return ""
	}
	if got := review(); got != "" {
		t.Fatalf("before SIGTERM: %s", got)
	}
	ready := func() int {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", g.ProbePort))
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	start := time.Now()
	if err := g.Terminate(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, func() string {
		if code := ready(); code == http.StatusOK {
			return "still ready"
		}
		return ""
	})
	answered := 0
	for time.Since(start) < 2*time.Second {
		if got := review(); got != "" {
			t.Fatalf("%s after SIGTERM, inside the shutdown delay: %s", time.Since(start).Round(time.Millisecond), got)
		}
		answered++
		time.Sleep(100 * time.Millisecond)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections opened; the keep-alive connection was not kept", n)
	}
	if err := g.Exited(15 * time.Second); err != nil {
		t.Fatalf("exit: %v", err)
	}
	if elapsed := time.Since(start); elapsed < 3*time.Second {
		t.Errorf("exited %s after SIGTERM, before the 3s shutdown delay", elapsed)
	}
	t.Logf("%d reviews answered on one connection while draining", answered)
}

// Repository authors cannot make gitgate reach out: a commit whose Rego calls
// http.send, or whose kustomization reads outside the repository, is rejected as
// a whole and the previous revision keeps serving.
func TestRepositoryContentIsConfined(t *testing.T) {
	for _, c := range []struct {
		name, why string
		files     map[string]string
	}{
		{"rego http.send", "http.send is not allowed", map[string]string{"policies/exfil.rego": `package gitgate

exceptions contains {"id": "x", "reason": r, "paths": ["data.greeting"]} if {
	r := http.send({"method": "get", "url": "http://169.254.169.254/latest/meta-data/"}).raw_body
}
`}},
		{"rego net.lookup", "net.lookup_ip_addr is not allowed", map[string]string{"policies/exfil.rego": `package gitgate

exceptions contains {"id": "x", "reason": concat(",", net.lookup_ip_addr("example.com")), "paths": ["data.greeting"]} if true
`}},
		{"kustomize outside the repository", "'/etc/hostname' doesn't exist", map[string]string{"k8s/escape/kustomization.yaml": "resources:\n  - ../../../../../../../../etc/hostname\n"}},
		{"kustomize absolute path", "cannot be absolute", map[string]string{"k8s/escape/kustomization.yaml": "resources:\n  - /etc/hostname\n"}},
		{"kustomize remote base", "remote resource", map[string]string{"k8s/escape/kustomization.yaml": "resources:\n  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.0.0\n"}},
		{"kustomize exec plugin", "external plugins disabled", map[string]string{
			"k8s/escape/kustomization.yaml": "generators:\n  - gen.yaml\n",
			"k8s/escape/gen.yaml":           "apiVersion: example.com/v1\nkind: Exec\nmetadata:\n  name: x\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: /bin/sh\n",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			commitAndWait(t, c.files, "try: "+c.name, true)
			log, err := os.ReadFile(filepath.Join(gg.Dir, "gitgate.log"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(log), c.why) {
				t.Errorf("the log does not say why the commit was rejected (%q)", c.why)
			}
			cleanup := map[string]string{}
			for rel := range c.files {
				cleanup[rel] = ""
			}
			commitAndWait(t, cleanup, "undo: "+c.name, false)
		})
	}
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "scale", "deployment/nginx-deployment", "--replicas=16")
	denied(t, out, ok, "spec.replicas: git has 3")
}

package manifests

import (
	"strings"
	"testing"
)

// values.schema.json refuses values that would break the install before anything
// renders: each case names the field the error must mention.
func TestChartSchemaRejectsBadValues(t *testing.T) {
	for _, c := range []struct {
		name   string
		values map[string]any
		want   string
	}{
		{name: "empty repository URL", values: map[string]any{"repo": map[string]any{"url": ""}}, want: "/repo/url"},
		{name: "repository as a string", values: map[string]any{"repo": "https://example.com/x.git"}, want: "/repo"},
		{name: "unknown certificate mode", values: map[string]any{"certificates": map[string]any{"mode": "vault"}}, want: "/certificates/mode"},
		{name: "zero webhook replicas", values: map[string]any{"webhook": map[string]any{"replicas": 0}}, want: "/webhook/replicas"},
		{name: "replicas as text", values: map[string]any{"webhook": map[string]any{"replicas": "two"}}, want: "/webhook/replicas"},
		{name: "unknown failure policy", values: map[string]any{"webhook": map[string]any{"failurePolicy": "Open"}}, want: "/webhook/failurePolicy"},
		{name: "timeout over the API server's 30s", values: map[string]any{"webhook": map[string]any{"timeoutSeconds": 31}}, want: "/webhook/timeoutSeconds"},
		{name: "sync user with a quote (CEL injection)", values: map[string]any{"syncUsers": []any{"x' || true || '"}}, want: "/syncUsers/0"},
		{name: "empty sync user", values: map[string]any{"syncUsers": []any{""}}, want: "/syncUsers/0"},
		{name: "controller with a space", values: map[string]any{"controllers": map[string]any{"extra": []any{"my controller"}}}, want: "/controllers/extra/0"},
		{name: "extra argument not a flag", values: map[string]any{"webhook": map[string]any{"extraArgs": []any{"warn"}}}, want: "/webhook/extraArgs/0"},
		{name: "credentials key with a slash", values: map[string]any{"repo": map[string]any{"credentials": map[string]any{"secretName": "git", "passwordKey": "../token"}}}, want: "/repo/credentials/passwordKey"},
		{name: "misspelt top-level key", values: map[string]any{"replicas": 3}, want: "replicas"},
		{name: "misspelt nested key", values: map[string]any{"applier": map[string]any{"enable": false}}, want: "enable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := renderChart(t, "gitgate", "gitgate-system", c.values)
			if err == nil {
				t.Fatalf("values %v rendered, want a schema error", c.values)
			}
			if msg := err.Error(); !strings.Contains(msg, "schema") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not name the schema and %s", msg, c.want)
			}
		})
	}
}

// Values the schema accepts render an install whose names and identities agree
// with each other: another release name and namespace, the applier replaced by
// Flux, further controllers, cert-manager.
func TestChartValuesRender(t *testing.T) {
	for _, c := range []struct {
		name, release, namespace string
		values                   map[string]any
		want, absent             []string // substrings of the rendered objects
	}{
		{
			name: "another release and namespace", release: "gg", namespace: "gates",
			want: []string{
				"ValidatingWebhookConfiguration//gg-gitgate", "ClusterRole//gg-gitgate-applier",
				"--sync-user=system:serviceaccount:gates:gg-gitgate-applier",
				"request.userInfo.username != 'system:serviceaccount:gates:gg-gitgate-applier'",
				"--cert-secret=gates/gg-gitgate-tls", "--cert-dns-name=gg-gitgate.gates.svc,gg-gitgate.gates.svc.cluster.local",
				"--inventory=gates/gg-gitgate-inventory", "--leader-election-id=gg-gitgate-applier",
				`"values":["kube-system","kube-node-lease","gates"]`,
			},
			absent: []string{"gitgate-system", `"name":"gitgate-`, `"name":"gitgate","namespace"`},
		},
		{
			name: "Flux applies", release: "gitgate", namespace: "gitgate-system",
			values: map[string]any{
				"applier":   map[string]any{"enabled": false},
				"syncUsers": []any{"system:serviceaccount:flux-system:kustomize-controller", "system:serviceaccount:flux-system:helm-controller"},
			},
			want: []string{
				"--sync-user=system:serviceaccount:flux-system:kustomize-controller", "--sync-user=system:serviceaccount:flux-system:helm-controller",
				"!(request.userInfo.username in ['system:serviceaccount:flux-system:kustomize-controller', 'system:serviceaccount:flux-system:helm-controller'])",
			},
			absent: []string{"gitgate-applier"},
		},
		{
			name: "a further controller", release: "gitgate", namespace: "gitgate-system",
			values: map[string]any{"controllers": map[string]any{"extra": []any{"system:serviceaccount:keda:keda-operator"}}},
			want:   []string{"--controller-user=system:serviceaccount:keda:keda-operator", `volumeattributesclass-protection-controller',\n  'system:serviceaccount:keda:keda-operator']`},
		},
		{
			name: "cert-manager", release: "gitgate", namespace: "gitgate-system",
			values: map[string]any{"certificates": map[string]any{"mode": "cert-manager"}},
			want: []string{
				"Certificate/gitgate-system/gitgate", "Issuer/gitgate-system/gitgate-ca", `"cert-manager.io/inject-ca-from":"gitgate-system/gitgate"`,
				`"secret":{"secretName":"gitgate-tls"}`, `"dnsNames":["gitgate.gitgate-system.svc","gitgate.gitgate-system.svc.cluster.local"]`,
			},
			absent: []string{"--rotate-certs", "--guard-webhook-config", "--cert-secret"},
		},
		{
			name: "credentials", release: "gitgate", namespace: "gitgate-system",
			values: map[string]any{"repo": map[string]any{"url": "ssh://git@example.com/org/config.git", "credentials": map[string]any{"secretName": "git-ssh", "passwordKey": "", "sshKeyKey": "identity", "knownHostsKey": "known_hosts"}}},
			want:   []string{"--ssh-key-file=/git-credentials/identity", "--known-hosts-file=/git-credentials/known_hosts", `"secretName":"git-ssh"`},
			absent: []string{"--git-password-file"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			objs, err := renderChart(t, c.release, c.namespace, c.values)
			if err != nil {
				t.Fatal(err)
			}
			text := dump(t, objs)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("rendered install lacks %s", w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(text, a) {
					t.Errorf("rendered install has %s", a)
				}
			}
		})
	}
}

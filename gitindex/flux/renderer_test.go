package flux

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/gitindex"
)

// wantField is what a test expects of one field of a rendered object: its value
// and where SourceOf says to change it.
type wantField struct {
	path  string
	value any
	file  string
	line  int
}

func TestPlanRendersWhatFluxApplies(t *testing.T) {
	s, err := buildFleet(t, readTree(t, "testdata/fleet"), clusterValues())
	if err != nil {
		t.Fatal(err)
	}
	const apps, deploy = "clusters/staging/apps.yaml", "k8s/app/deployment.yaml"
	tests := []struct {
		name     string
		key      gitindex.Key
		wantAt   string // the object's path:line
		wantKeys []wantField
	}{{
		name:   "prefixed, in the target namespace, patched, imaged, substituted",
		key:    gitindex.Key{Group: "apps", Kind: "Deployment", Namespace: "staging", Name: "staging-web"},
		wantAt: deploy + ":1",
		wantKeys: []wantField{
			{path: "spec.replicas", value: int64(3), file: apps, line: lineOf(t, apps, "value: 3")},
			{path: "spec.template.spec.containers[name=web].image", value: "nginx:1.27", file: apps, line: lineOf(t, apps, "- name: nginx")},
			{path: "spec.template.spec.containers[name=web].env[name=CLUSTER].value", value: "staging-eu", file: apps, line: lineOf(t, apps, "cluster_name: staging-eu")},
			{path: "spec.template.spec.containers[name=web].env[name=REGION].value", value: "eu-west-1", file: apps, line: lineOf(t, apps, "- kind: ConfigMap")},
			{path: "spec.template.spec.containers[name=web].env[name=DB_USER].value", value: "s3cr3t-user", file: apps, line: lineOf(t, apps, "- kind: Secret")},
			{path: "spec.selector.matchLabels.app", value: "web", file: deploy, line: lineOf(t, deploy, "app: web")},
			{path: "metadata.name", value: "staging-web", file: apps, line: lineOf(t, apps, "namePrefix: staging-")},
			{path: "metadata.namespace", value: "staging", file: apps, line: lineOf(t, apps, "targetNamespace: staging")},
			{path: "metadata.labels.team", value: "web"},
			{path: "metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/name", value: "apps"},
			{path: "metadata.annotations.prometheus\\.io/scrape", value: "true"},
		},
	}, {
		name:   "a ConfigMap with a variable and a default",
		key:    gitindex.Key{Kind: "ConfigMap", Namespace: "staging", Name: "staging-web-config"},
		wantAt: "k8s/app/configmap.yaml:1",
		wantKeys: []wantField{
			{path: "data.greeting", value: "hello from staging-eu", file: apps, line: lineOf(t, apps, "cluster_name: staging-eu")},
			{path: "data.logLevel", value: "info"},
		},
	}, {
		name:   "the Kustomization, applied by the root one",
		key:    gitindex.Key{Group: "kustomize.toolkit.fluxcd.io", Kind: "Kustomization", Namespace: "flux-system", Name: "apps"},
		wantAt: apps + ":1",
		wantKeys: []wantField{
			{path: "spec.namePrefix", value: "staging-", file: apps, line: lineOf(t, apps, "namePrefix:")},
			{path: "metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/name", value: "flux-system"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := s.Lookup(tt.key)
			if !ok {
				t.Fatalf("%s not rendered", tt.key)
			}
			if diff := cmp.Diff(tt.wantAt, o.Source()); diff != "" {
				t.Errorf("location (-want +got):\n%s", diff)
			}
			for _, f := range tt.wantKeys {
				got := wantField{path: f.path, value: valueAt(o.Object, f.path)}
				if f.file != "" {
					got.file, got.line = o.SourceOf(f.path)
				}
				if diff := cmp.Diff(f, got, cmp.AllowUnexported(wantField{})); diff != "" {
					t.Errorf("%s (-want +got):\n%s", f.path, diff)
				}
			}
		})
	}
}

func TestPlanLeavesOutWhatFluxDoesNotApply(t *testing.T) {
	s, err := buildFleet(t, readTree(t, "testdata/fleet"), clusterValues())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []gitindex.Key{
		{Kind: "ConfigMap", Namespace: "default", Name: "unused"},              // no Kustomization's path
		{Kind: "ConfigMap", Namespace: "vendor", Name: "vendor"},               // another source's Kustomization
		{Group: "apps", Kind: "Deployment", Namespace: "default", Name: "web"}, // only its rendered name
	} {
		if o, ok := s.Lookup(k); ok {
			t.Errorf("%s indexed from %s; Flux does not apply it", k, o.Source())
		}
	}
	if got, want := s.Len(), 6; got != want {
		t.Errorf("%d objects, want %d", got, want)
	}
}

func TestPlanRejects(t *testing.T) {
	const apps = "clusters/staging/apps.yaml"
	tests := []struct {
		name    string
		edit    func(string) string // of apps.yaml
		values  ValueReader
		wantErr []string // substrings of the build error
	}{{
		name:    "a source that is not there and not optional",
		edit:    func(s string) string { return s },
		values:  fakeValues{"Secret/flux-system/cluster-secrets": {"db_user": "x"}},
		wantErr: []string{"Kustomization flux-system/apps (" + apps + ":1)", "ConfigMap/cluster-vars", "not found"},
	}, {
		name:    "substituteFrom without a cluster to read",
		edit:    func(s string) string { return s },
		values:  nil,
		wantErr: []string{apps + ":1", "gitgate reads no cluster here"},
	}, {
		name: "SOPS decryption",
		edit: func(s string) string {
			return strings.Replace(s, "  prune: true\n", "  prune: true\n  decryption:\n    provider: sops\n", 1)
		},
		values:  clusterValues(),
		wantErr: []string{apps + ":1", "does not decrypt SOPS"},
	}, {
		name:    "a path that is not in the commit",
		edit:    func(s string) string { return strings.Replace(s, "./k8s/app", "./k8s/gone", 1) },
		values:  clusterValues(),
		wantErr: []string{"spec.path \"./k8s/gone\": no such folder"},
	}, {
		name: "a variable name Flux refuses",
		edit: func(s string) string {
			return strings.Replace(s, "cluster_name: staging-eu", "cluster-name: staging-eu", 1)
		},
		values:  clusterValues(),
		wantErr: []string{apps + ":1", "'cluster-name' var name is invalid"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := readTree(t, "testdata/fleet")
			for i := range files {
				if files[i].Path == apps {
					files[i].Data = []byte(tt.edit(string(files[i].Data)))
				}
			}
			_, err := buildFleet(t, files, tt.values)
			var be *gitindex.BuildError
			if !errors.As(err, &be) {
				t.Fatalf("got %v, want a *gitindex.BuildError", err)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

func TestPlanNeverLogsValues(t *testing.T) {
	var logged strings.Builder
	log := funcr.New(func(prefix, args string) { logged.WriteString(prefix + args + "\n") }, funcr.Options{Verbosity: 9})
	r, err := New(Options{Values: clusterValues(), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := logr.NewContext(t.Context(), log)
	if _, err := gitindex.BuildContext(ctx, "0123456789abcdef", readTree(t, "testdata/fleet"), gitindex.BuildOptions{Render: r}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logged.String(), "cluster-secrets") {
		t.Fatalf("nothing logged about the Secret read; the test would prove nothing:\n%s", logged.String())
	}
	if strings.Contains(logged.String(), "s3cr3t") {
		t.Errorf("a Secret value was logged:\n%s", logged.String())
	}
}

package gitindex

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/gitindex/helm"
)

const (
	chartYAML  = "apiVersion: v2\nname: app\nversion: 0.1.0\n"
	chartVals  = "replicaCount: 1\ncolor: blue\n"
	deployTmpl = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.27
`
	configTmpl = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  color: {{ .Values.color | quote }}
{{- with (lookup "v1" "Secret" "kube-system" "anything") }}
  leaked: {{ .data | toJson | quote }}
{{- end }}
`
	clusterRoleTmpl = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Name }}-reader
rules: []
`
	releaseYAML = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: apps
spec:
  chart:
    spec:
      chart: %CHART%
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
  valuesFrom:
    - kind: ConfigMap
      name: web-values
  values:
    replicaCount: 3
`
)

// chartCommit is a commit with a HelmRelease in k8s/ naming the chart at dir.
func chartCommit(dir string, edit ...string) []File {
	files := map[string]string{
		"k8s/release.yaml":                  strings.ReplaceAll(releaseYAML, "%CHART%", "./"+dir),
		dir + "/Chart.yaml":                 chartYAML,
		dir + "/values.yaml":                chartVals,
		dir + "/templates/deployment.yaml":  deployTmpl,
		dir + "/templates/configmap.yaml":   configTmpl,
		dir + "/templates/clusterrole.yaml": clusterRoleTmpl,
		dir + "/templates/_helpers.tpl":     "{{/* nothing */}}\n",
	}
	for i := 0; i+1 < len(edit); i += 2 {
		files[edit[i]] = edit[i+1]
	}
	var out []File
	for p, data := range files {
		out = append(out, File{Path: p, Data: []byte(data)})
	}
	return out
}

type fakeValues map[string]map[string][]byte

func (f fakeValues) ReadValues(_ context.Context, kind, namespace, name string) (map[string][]byte, error) {
	if d, ok := f[kind+"/"+namespace+"/"+name]; ok {
		return d, nil
	}
	return nil, helm.ErrNotFound
}

func TestBuildRendersCharts(t *testing.T) {
	values := fakeValues{"ConfigMap/apps/web-values": {"values.yaml": []byte("color: red\n")}}
	type located struct{ Key, Source, Release, Replicas string }
	tests := []struct {
		name string
		dir  string
	}{
		{name: "a chart outside the manifest paths", dir: "charts/app"},
		{name: "a chart below them: its templates are no manifests", dir: "k8s/charts/app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, err := Build("abc1234", chartCommit(tt.dir), BuildOptions{Paths: []string{"k8s"}, Helm: helm.Options{Values: values}})
			if err != nil {
				t.Fatal(err)
			}
			var got []located
			for _, o := range snap.Objects() {
				file, line := o.SourceOf("spec.replicas")
				l := located{Key: o.Key.String(), Source: o.Source(), Release: o.Release}
				if o.Kind == "Deployment" {
					l.Replicas = file + ":" + strconv.Itoa(line)
				}
				got = append(got, l)
			}
			want := []located{
				{Key: "ClusterRole.rbac.authorization.k8s.io web-reader", Source: tt.dir + "/templates/clusterrole.yaml:2", Release: "apps/web"},
				{Key: "ConfigMap apps/web-settings", Source: tt.dir + "/templates/configmap.yaml:2", Release: "apps/web"},
				{Key: "Deployment.apps apps/web-app", Source: tt.dir + "/templates/deployment.yaml:2", Release: "apps/web", Replicas: "k8s/release.yaml:15"},
				{Key: "HelmRelease.helm.toolkit.fluxcd.io apps/web", Source: "k8s/release.yaml:1"},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			cm, _ := snap.Lookup(Key{Kind: "ConfigMap", Namespace: "apps", Name: "web-settings"})
			if diff := cmp.Diff(map[string]any{"color": "red"}, cm.Object["data"]); diff != "" {
				t.Errorf("data: lookup must find nothing, valuesFrom must win (-want +got):\n%s", diff)
			}
			if file, line := cm.SourceOf("data.color"); file != "k8s/release.yaml" || line != 12 {
				t.Errorf("SourceOf(data.color) = %s:%d, want the valuesFrom entry k8s/release.yaml:12", file, line)
			}
		})
	}
}

func TestBuildRejectsCharts(t *testing.T) {
	tests := []struct {
		name  string
		files []File
		opts  BuildOptions
		want  string
	}{{
		name:  "a template that does not render",
		files: chartCommit("charts/app", "charts/app/templates/broken.yaml", "{{ .Values.missing.field }}\n"),
		opts:  BuildOptions{Helm: helm.Options{Values: fakeValues{"ConfigMap/apps/web-values": {"values.yaml": []byte("{}")}}}},
		want:  "k8s/release.yaml:1: HelmRelease web: render chart charts/app: template: app/templates/broken.yaml:1:10: executing",
	}, {
		name:  "valuesFrom without a reader",
		files: chartCommit("charts/app"),
		want:  "k8s/release.yaml:1: HelmRelease web: spec.valuesFrom[0] ConfigMap apps/web-values: reading values from the cluster is not configured",
	}, {
		name:  "over the object limit with what the chart renders",
		files: chartCommit("charts/app"),
		opts:  BuildOptions{Limits: Limits{MaxObjects: 3}, Helm: helm.Options{Values: fakeValues{"ConfigMap/apps/web-values": {"values.yaml": []byte("{}")}}}},
		want:  "objects",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Paths = []string{"k8s"}
			_, err := Build("abc1234", tt.files, tt.opts)
			var be *BuildError
			if !errors.As(err, &be) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want a *BuildError containing %q", err, tt.want)
			}
		})
	}
}

func TestBuildChartFromElsewhere(t *testing.T) {
	release := strings.Replace(strings.ReplaceAll(releaseYAML, "%CHART%", "podinfo"), "GitRepository", "HelmRepository", 1)
	repository := func(spec string) string {
		return "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: flux-system, namespace: flux-system}\nspec: " + spec + "\n"
	}
	tests := []struct {
		name, repository, want string
	}{
		{name: "a HelmRepository the commit does not declare",
			want: "HelmRepository flux-system/flux-system is not declared in this commit"},
		{name: "an OCI repository", repository: repository("{type: oci, url: ghcr.io/stefanprodan/charts}"),
			want: "HelmRepository flux-system/flux-system is an OCI repository, not fetched"},
		{name: "no chart source configured", repository: repository("{url: https://charts.example.com}"),
			want: "HelmRepository flux-system/flux-system: fetching charts is not configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := chartCommit("charts/app", "k8s/release.yaml", release)
			if tt.repository != "" {
				files = append(files, File{Path: "k8s/repository.yaml", Data: []byte(tt.repository)})
			}
			snap, err := Build("abc1234", files, BuildOptions{Paths: []string{"k8s"}})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"k8s/release.yaml:1: HelmRelease web: " + tt.want + ": chart not in this repository: its objects are not governed"}
			if diff := cmp.Diff(want, snap.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

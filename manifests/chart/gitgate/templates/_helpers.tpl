{{/*
The prefix of every object's name: the release name when it holds the chart's
name (release "gitgate": gitgate, gitgate-applier, gitgate-tls, ...), else
<release>-gitgate. Cluster-scoped objects carry it too, so two releases never
share a ClusterRole or a webhook configuration.
*/}}
{{- define "gitgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Helm's labels, on every object beside the app's own name label. */}}
{{- define "gitgate.helmLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "gitgate.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}

{{/* The sync identity's usernames, one a line. */}}
{{- define "gitgate.syncUsers" -}}
{{- if .Values.syncUsers -}}
{{- join "\n" .Values.syncUsers -}}
{{- else if .Values.applier.enabled -}}
system:serviceaccount:{{ .Release.Namespace }}:{{ include "gitgate.fullname" . }}-applier
{{- else -}}
{{- fail "syncUsers: name the identity that applies git (the built-in applier is disabled)" -}}
{{- end -}}
{{- end -}}

{{/* --sync-user and --controller-user arguments, shared by both Deployments. */}}
{{- define "gitgate.identityArgs" -}}
{{- range splitList "\n" (include "gitgate.syncUsers" .) }}
- --sync-user={{ . }}
{{- end }}
{{- range .Values.controllers.extra }}
- --controller-user={{ . }}
{{- end }}
{{- end -}}

{{/* The repository arguments and the credential files, shared by both Deployments. */}}
{{- define "gitgate.repoArgs" -}}
- --repo={{ .Values.repo.url }}
- --ref={{ .Values.repo.ref }}
- --path={{ .Values.repo.path }}
{{- with .Values.repo.credentials }}
{{- if .secretName }}
{{- if .usernameKey }}
- --git-username-file=/git-credentials/{{ .usernameKey }}
{{- end }}
{{- if .passwordKey }}
- --git-password-file=/git-credentials/{{ .passwordKey }}
{{- end }}
{{- if .sshKeyKey }}
- --ssh-key-file=/git-credentials/{{ .sshKeyKey }}
{{- end }}
{{- if .knownHostsKey }}
- --known-hosts-file=/git-credentials/{{ .knownHostsKey }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "gitgate.credentialsMount" -}}
{{- if .Values.repo.credentials.secretName }}
- name: git-credentials
  mountPath: /git-credentials
  readOnly: true
{{- end }}
{{- end -}}

{{- define "gitgate.credentialsVolume" -}}
{{- if .Values.repo.credentials.secretName }}
- name: git-credentials
  secret:
    secretName: {{ .Values.repo.credentials.secretName }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{/*
The sync identity in CEL, true when the request is NOT made by it. One user
keeps the short form of manifests/webhook.yaml.
*/}}
{{- define "gitgate.notSyncCEL" -}}
{{- $users := splitList "\n" (include "gitgate.syncUsers" .) -}}
{{- if eq (len $users) 1 -}}
"request.userInfo.username != '{{ first $users }}'"
{{- else -}}
"!(request.userInfo.username in ['{{ join "', '" $users }}'])"
{{- end -}}
{{- end -}}

{{/*
The cluster controllers in CEL (a folded block, indented by the caller): every
builtIn and extra identity by exact username, and kubelets by username and group.
*/}}
{{- define "gitgate.controllersCEL" -}}
request.userInfo.username in [
{{- $ids := concat .Values.controllers.builtIn .Values.controllers.extra }}
{{- range $i, $id := $ids }}
  '{{ $id }}'{{ if lt (add1 $i) (len $ids) }},{{ end }}
{{- end }}]
|| (request.userInfo.username.startsWith('system:node:') && 'system:nodes' in request.userInfo.groups)
{{- end -}}

{{/* The namespaces no webhook judges: the control plane's and gitgate's own. */}}
{{- define "gitgate.namespaceSelector" -}}
namespaceSelector:
  matchExpressions:
    - key: kubernetes.io/metadata.name
      operator: NotIn
      values: ["kube-system", "kube-node-lease", {{ .Release.Namespace | quote }}]
{{- end -}}

{{- define "gitgate.clientConfig" -}}
admissionReviewVersions: ["v1"]
clientConfig:
  service:
    namespace: {{ .Release.Namespace }}
    name: {{ include "gitgate.fullname" . }}
    path: /validate
    port: 443
{{- end -}}

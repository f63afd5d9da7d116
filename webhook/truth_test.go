package webhook

import (
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// createdDeployment is git's Deployment as the API server has it at CREATE:
// every default filled in.
const createdDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  namespace: staging
  labels: {app: nginx}
spec:
  replicas: 3
  revisionHistoryLimit: 10
  progressDeadlineSeconds: 600
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}, creationTimestamp: null}
    spec:
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
      containers:
      - name: nginx
        image: nginx:1.21
        imagePullPolicy: IfNotPresent
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
        resources: {}
`

// TestWholeObject covers the decisions that compare a request with the whole
// desired object: extras at CREATE, repairs and bookkeeping at UPDATE.
func TestWholeObject(t *testing.T) {
	sidecar := edit(createdDeployment, "      containers:\n", "      hostNetwork: true\n      containers:\n      - {name: miner, image: evil:1, securityContext: {privileged: true}}\n")
	withEnv := edit(liveDeployment, "imagePullPolicy: IfNotPresent", "imagePullPolicy: IfNotPresent\n        env: [{name: FOO, value: bar}]")
	managed := edit(liveDeployment, "labels: {app: nginx}\n  uid", "labels: {app: nginx, gitgate.dev/managed: 'true'}\n  uid")
	tests := []struct {
		name    string
		opts    Options
		req     reqOpts
		allowed bool
		want    []string
	}{
		{name: "create as the API server stores git's object", req: reqOpts{op: admissionv1.Create, user: "alice", kind: deployKind, ns: "staging", name: "nginx", obj: createdDeployment}, allowed: true},
		{name: "create with a privileged sidecar and hostNetwork", req: reqOpts{op: admissionv1.Create, user: "alice", kind: deployKind, ns: "staging", name: "nginx", obj: sidecar},
			want: []string{"spec.template.spec.hostNetwork: not declared in git (strict mode), request sets true", "spec.template.spec.containers[name=miner]: not declared in git"}},
		{name: "create with extras in merge mode", opts: Options{Merge: true}, req: reqOpts{op: admissionv1.Create, user: "alice", kind: deployKind, ns: "staging", name: "nginx", obj: sidecar}, allowed: true},
		{name: "create changing a default", req: reqOpts{op: admissionv1.Create, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			obj: edit(createdDeployment, "dnsPolicy: ClusterFirst", "dnsPolicy: Default")}, want: []string{`spec.template.spec.dnsPolicy: git leaves the default "ClusterFirst", request has "Default"`}},
		{name: "removing an env var someone else added", req: reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx", old: withEnv, obj: liveDeployment}, allowed: true},
		{name: "adding an env var", req: reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx", old: liveDeployment, obj: withEnv},
			want: []string{"env[name=FOO].value: not declared in git (strict mode)"}},
		{name: "replace drops the management label and the revision annotation", req: reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: managed, obj: edit(liveDeployment, `annotations: {deployment.kubernetes.io/revision: "1"}`, "")}, allowed: true},
		{name: "changing the management label is still forgery", req: reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "nginx",
			old: managed, obj: edit(managed, "gitgate.dev/managed: 'true'", "gitgate.dev/managed: 'no'")}, want: []string{`metadata.labels["gitgate.dev/managed"]`}},
		{name: "adding an empty ConfigMap entry git does not declare", req: reqOpts{op: admissionv1.Update, user: "alice", kind: cmKind, ns: "staging", name: "settings",
			old: gitConfigMap, obj: edit(gitConfigMap, "{color: blue}", "{color: blue, FEATURE_X: ''}")}, want: []string{`data.FEATURE_X: not declared in git (strict mode), request sets ""`}},
		{name: "dropping the management label of an undeclared object is forgery", req: reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "other",
			old: edit(managed, "name: nginx", "name: other"), obj: edit(liveDeployment, "name: nginx", "name: other")}, want: []string{`metadata.labels["gitgate.dev/managed"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newTestHandler(t, tt.opts, nil)
			resp := h.Handle(t.Context(), request(t, tt.req))
			assertDecision(t, resp, tt.allowed, tt.want)
		})
	}
}

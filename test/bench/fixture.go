package main

import (
	"encoding/json"
	"fmt"
	"path"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/test/cluster"
)

// gitDeployment is a typical Deployment of about 45 lines, as in gitindex's
// BenchmarkBuild: %[1]d is the object number, %[2]d the team.
const gitDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: team-%[2]d
  labels: {app.kubernetes.io/name: app-%[1]d, app.kubernetes.io/part-of: shop, tier: backend}
  annotations: {owner: team-%[2]d@example.com}
spec:
  replicas: 3
  revisionHistoryLimit: 5
  selector:
    matchLabels: {app.kubernetes.io/name: app-%[1]d}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%%, maxUnavailable: 0}
  template:
    metadata:
      labels: {app.kubernetes.io/name: app-%[1]d, tier: backend}
    spec:
      serviceAccountName: app-%[1]d
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: registry.example.com/shop/app-%[1]d:v1.0.0
        args: [--listen=:8080, --log-level=info]
        ports:
        - {name: http, containerPort: 8080, protocol: TCP}
        - {name: metrics, containerPort: 9090, protocol: TCP}
        env:
        - {name: DATABASE_HOST, value: db.team-%[2]d.svc}
        - {name: CACHE_TTL, value: "300"}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: "1", memory: 512Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 10
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
`

// gitConfigMap is the ConfigMap that closes every file.
const gitConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg-%[1]d
  namespace: team-%[2]d
  labels: {app.kubernetes.io/part-of: shop}
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: checkout-v2,search-v3
  application.properties: |
    server.port=8080
    cache.ttl=300
`

const (
	objectsPerFile = 10
	lastApplied    = "kubectl.kubernetes.io/last-applied-configuration"
	// benchNS, benchDeploy and benchCM are the objects every request is about.
	benchNS, benchDeploy, benchCM = "team-0", "app-0", "cfg-9"
)

// gitObject returns the YAML git declares for object i: nine Deployments and
// one ConfigMap per file, each file in its team's namespace.
func gitObject(i int) string {
	team := (i / objectsPerFile) % 50
	if i%objectsPerFile == objectsPerFile-1 {
		return fmt.Sprintf(gitConfigMap, i, team)
	}
	return fmt.Sprintf(gitDeployment, i, team)
}

// repoFiles renders n objects into n/10 files under k8s/team-NN/.
func repoFiles(n int) []gitindex.File {
	files := make([]gitindex.File, 0, n/objectsPerFile)
	for f := range n / objectsPerFile {
		var data []byte
		for i := f * objectsPerFile; i < (f+1)*objectsPerFile; i++ {
			if len(data) > 0 {
				data = append(data, "---\n"...)
			}
			data = append(data, gitObject(i)...)
		}
		p := path.Join("k8s", fmt.Sprintf("team-%02d", f%50), fmt.Sprintf("apps-%05d.yaml", f))
		files = append(files, gitindex.File{Path: p, Data: data})
	}
	return files
}

// liveDeployment is git's Deployment 0 as the API server stores it after a
// client-side `kubectl apply` and a rollout: defaults, managedFields, status.
func liveDeployment() (map[string]any, error) {
	obj, err := yamlMap(gitObject(0))
	if err != nil {
		return nil, err
	}
	applied, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	meta := obj["metadata"].(map[string]any)
	meta["annotations"].(map[string]any)[lastApplied] = string(applied) + "\n"
	applyFields := fieldsOf(map[string]any{"metadata": map[string]any{"labels": meta["labels"], "annotations": meta["annotations"]}, "spec": obj["spec"]})
	merge(meta, map[string]any{"uid": "6f1c2d3e-7a8b-4c9d-8e0f-123456789abc", "resourceVersion": "48213", "generation": 1, "creationTimestamp": "2025-06-01T09:00:00Z"})
	meta["annotations"].(map[string]any)["deployment.kubernetes.io/revision"] = "1"
	spec := obj["spec"].(map[string]any)
	spec["progressDeadlineSeconds"] = 600
	tmpl := spec["template"].(map[string]any)
	tmpl["metadata"].(map[string]any)["creationTimestamp"] = nil
	pod := tmpl["spec"].(map[string]any)
	merge(pod, map[string]any{"dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler", "terminationGracePeriodSeconds": 30})
	for _, c := range pod["containers"].([]any) {
		c := c.(map[string]any)
		merge(c, map[string]any{"imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"})
		probe := c["readinessProbe"].(map[string]any)
		merge(probe, map[string]any{"failureThreshold": 3, "successThreshold": 1, "timeoutSeconds": 1})
		probe["httpGet"].(map[string]any)["scheme"] = "HTTP"
	}
	obj["status"] = deploymentStatus()
	meta["managedFields"] = []any{
		managed("kubectl-client-side-apply", "", applyFields),
		managed("kube-controller-manager", "", fieldsOf(map[string]any{"metadata": map[string]any{"annotations": map[string]any{"deployment.kubernetes.io/revision": "1"}}})),
		managed("kube-controller-manager", "status", fieldsOf(map[string]any{"status": obj["status"]})),
	}
	return obj, nil
}

func deploymentStatus() map[string]any {
	cond := func(typ, reason, msg string) map[string]any {
		return map[string]any{"type": typ, "status": "True", "reason": reason, "message": msg,
			"lastTransitionTime": "2025-06-01T09:00:41Z", "lastUpdateTime": "2025-06-01T09:00:41Z"}
	}
	return map[string]any{"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
		"conditions": []any{
			cond("Available", "MinimumReplicasAvailable", "Deployment has minimum availability."),
			cond("Progressing", "NewReplicaSetAvailable", `ReplicaSet "app-0-5d8f7c9b6d" has successfully progressed.`),
		}}
}

func managed(manager, subresource string, fields any) map[string]any {
	m := map[string]any{"manager": manager, "operation": "Update", "apiVersion": "apps/v1",
		"time": "2025-06-01T09:00:41Z", "fieldsType": "FieldsV1", "fieldsV1": fields}
	if subresource != "" {
		m["subresource"] = subresource
	}
	return m
}

// fieldsOf renders the fieldsV1 set of v as the API server records it.
func fieldsOf(v any) any {
	out := map[string]any{}
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			out["f:"+k] = fieldsOf(x)
		}
	case []any:
		for _, x := range t {
			m, ok := x.(map[string]any)
			if !ok {
				return map[string]any{}
			}
			e := fieldsOf(m).(map[string]any)
			e["."] = map[string]any{}
			out["k:"+listKey(m)] = e
		}
	}
	return out
}

func listKey(m map[string]any) string {
	switch {
	case m["containerPort"] != nil:
		return fmt.Sprintf(`{"containerPort":%v,"protocol":%q}`, m["containerPort"], m["protocol"])
	case m["type"] != nil:
		return fmt.Sprintf(`{"type":%q}`, m["type"])
	}
	return fmt.Sprintf(`{"name":%q}`, m["name"])
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		dst[k] = v
	}
}

func yamlMap(doc string) (map[string]any, error) {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		return nil, fmt.Errorf("decode fixture: %w", err)
	}
	return m, nil
}

// reviewCase is one AdmissionReview of the live Deployment.
type reviewCase struct {
	name, user string
	allowed    bool
	// change edits the new object (the old one is the live Deployment).
	change func(obj map[string]any)
}

// reviewCases are the requests measured: `kubectl apply` of git's own file (no
// drift), a manual scale (drift, denied) and the sync identity's write.
var reviewCases = []reviewCase{
	{name: "update-nodrift", user: cluster.AdminUser, allowed: true, change: func(map[string]any) {}},
	{name: "update-drift", user: cluster.AdminUser, change: func(o map[string]any) { o["spec"].(map[string]any)["replicas"] = 5 }},
	{name: "sync-identity", user: cluster.SyncUser, allowed: true, change: func(o map[string]any) { o["spec"].(map[string]any)["replicas"] = 5 }},
}

// admissionReview returns the JSON AdmissionReview the API server sends for c.
func admissionReview(c reviewCase) ([]byte, error) {
	live, err := liveDeployment()
	if err != nil {
		return nil, err
	}
	oldRaw, err := json.Marshal(live)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(oldRaw, &obj); err != nil {
		return nil, err
	}
	obj["metadata"].(map[string]any)["resourceVersion"] = "48214"
	obj["metadata"].(map[string]any)["managedFields"].([]any)[0].(map[string]any)["time"] = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC).Format(time.RFC3339)
	c.change(obj)
	newRaw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	gvk := metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	gvr := metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	dryRun := false
	return json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID: "705ab4f5-6393-11e8-b7cc-42010a800002", Kind: gvk, Resource: gvr, RequestKind: &gvk, RequestResource: &gvr,
			Name: benchDeploy, Namespace: benchNS, Operation: admissionv1.Update,
			UserInfo: authenticationv1.UserInfo{Username: c.user, UID: "014fbff9a07c", Groups: []string{"system:masters", "system:authenticated"}},
			Object:   runtime.RawExtension{Raw: newRaw}, OldObject: runtime.RawExtension{Raw: oldRaw}, DryRun: &dryRun,
			Options: runtime.RawExtension{Raw: []byte(`{"kind":"UpdateOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"kubectl-client-side-apply","fieldValidation":"Strict"}`)},
		},
	})
}

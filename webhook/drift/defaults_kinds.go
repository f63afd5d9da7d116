package drift

import "strings"

func defaultReplicated(obj map[string]any) {
	spec := child(obj, "spec")
	set(spec, "replicas", int64(1))
	defaultPodTemplate(child(spec, "template"))
}

func defaultDeployment(obj map[string]any) {
	spec := child(obj, "spec")
	if spec == nil {
		return
	}
	set(spec, "replicas", int64(1))
	set(spec, "revisionHistoryLimit", int64(10))
	set(spec, "progressDeadlineSeconds", int64(600))
	strategy := ensure(spec, "strategy")
	set(strategy, "type", "RollingUpdate")
	if strategy["type"] == "RollingUpdate" {
		ru := ensure(strategy, "rollingUpdate")
		set(ru, "maxUnavailable", "25%")
		set(ru, "maxSurge", "25%")
	}
	defaultPodTemplate(child(spec, "template"))
}

func defaultStatefulSet(obj map[string]any) {
	spec := child(obj, "spec")
	if spec == nil {
		return
	}
	set(spec, "replicas", int64(1))
	set(spec, "revisionHistoryLimit", int64(10))
	set(spec, "podManagementPolicy", "OrderedReady")
	strategy := ensure(spec, "updateStrategy")
	set(strategy, "type", "RollingUpdate")
	if strategy["type"] == "RollingUpdate" {
		ru := ensure(strategy, "rollingUpdate")
		set(ru, "partition", int64(0))
		set(ru, "maxUnavailable", int64(1))
	}
	policy := ensure(spec, "persistentVolumeClaimRetentionPolicy")
	set(policy, "whenDeleted", "Retain")
	set(policy, "whenScaled", "Retain")
	each(spec, "volumeClaimTemplates", func(t map[string]any) {
		set(t, "apiVersion", "v1")
		set(t, "kind", "PersistentVolumeClaim")
		set(ensure(t, "spec"), "volumeMode", "Filesystem")
		set(t, "status", Any)
	})
	defaultPodTemplate(child(spec, "template"))
}

func defaultDaemonSet(obj map[string]any) {
	spec := child(obj, "spec")
	if spec == nil {
		return
	}
	set(spec, "revisionHistoryLimit", int64(10))
	strategy := ensure(spec, "updateStrategy")
	set(strategy, "type", "RollingUpdate")
	if strategy["type"] == "RollingUpdate" {
		ru := ensure(strategy, "rollingUpdate")
		set(ru, "maxUnavailable", int64(1))
		set(ru, "maxSurge", int64(0))
	}
	defaultPodTemplate(child(spec, "template"))
}

// jobLabels are the labels the API server generates on a Job's pod template.
var jobLabels = []string{"controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name"}

func defaultJobSpec(spec map[string]any) {
	if spec == nil {
		return
	}
	if spec["completions"] == nil && spec["parallelism"] == nil {
		spec["completions"] = int64(1)
	}
	set(spec, "parallelism", int64(1))
	set(spec, "backoffLimit", int64(6))
	set(spec, "completionMode", "NonIndexed")
	set(spec, "suspend", false)
	if spec["podFailurePolicy"] == nil {
		set(spec, "podReplacementPolicy", "TerminatingOrFailed")
	}
	if spec["manualSelector"] != true {
		set(spec, "selector", Any)
		labels := ensure(ensure(ensure(spec, "template"), "metadata"), "labels")
		for _, l := range jobLabels {
			set(labels, l, Any)
		}
	}
	defaultPodTemplate(child(spec, "template"))
}

func defaultCronJob(obj map[string]any) {
	spec := child(obj, "spec")
	set(spec, "concurrencyPolicy", "Allow")
	set(spec, "suspend", false)
	set(spec, "successfulJobsHistoryLimit", int64(3))
	set(spec, "failedJobsHistoryLimit", int64(1))
	defaultPodTemplate(child(child(child(spec, "jobTemplate"), "spec"), "template"))
}

func defaultService(obj map[string]any) {
	spec := child(obj, "spec")
	if spec == nil {
		return
	}
	set(spec, "type", "ClusterIP")
	set(spec, "sessionAffinity", "None")
	if spec["sessionAffinity"] == "ClientIP" {
		set(ensure(ensure(spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds", int64(10800))
	}
	typ := spec["type"]
	if typ != "ExternalName" {
		for _, f := range []string{"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"} {
			set(spec, f, Any) // allocated by the API server
		}
		set(spec, "internalTrafficPolicy", "Cluster")
	}
	nodePorts := typ == "NodePort" || typ == "LoadBalancer"
	if nodePorts {
		set(spec, "externalTrafficPolicy", "Cluster")
	}
	if typ == "LoadBalancer" {
		set(spec, "allocateLoadBalancerNodePorts", true)
		if spec["externalTrafficPolicy"] == "Local" {
			set(spec, "healthCheckNodePort", Any)
		}
	}
	each(spec, "ports", func(p map[string]any) {
		set(p, "protocol", "TCP")
		if typ != "ExternalName" {
			set(p, "targetPort", p["port"])
		}
		if nodePorts {
			set(p, "nodePort", Any)
		}
	})
}

func defaultPVCSpec(spec map[string]any) {
	set(spec, "volumeMode", "Filesystem")
	set(spec, "storageClassName", Any) // the DefaultStorageClass admission plugin
	set(spec, "volumeName", Any)       // bound by the PV controller
}

func defaultNamespace(obj map[string]any) {
	set(ensure(obj, "spec"), "finalizers", []any{"kubernetes"})
	meta := ensure(obj, "metadata")
	if name, ok := meta["name"].(string); ok {
		set(ensure(meta, "labels"), "kubernetes.io/metadata.name", name)
	}
}

func defaultNetworkPolicy(obj map[string]any) {
	spec := child(obj, "spec")
	if spec == nil {
		return
	}
	if _, ok := spec["policyTypes"]; !ok {
		types := []any{"Ingress"}
		if l, _ := spec["egress"].([]any); len(l) > 0 {
			types = append(types, "Egress")
		}
		spec["policyTypes"] = types
	}
	for _, dir := range []string{"ingress", "egress"} {
		each(spec, dir, func(r map[string]any) {
			each(r, "ports", func(p map[string]any) { set(p, "protocol", "TCP") })
		})
	}
}

func defaultSubjects(obj map[string]any) {
	each(obj, "subjects", func(s map[string]any) {
		if s["kind"] == "User" || s["kind"] == "Group" {
			set(s, "apiGroup", "rbac.authorization.k8s.io")
		}
	})
}

func defaultCRD(obj map[string]any) {
	spec := child(obj, "spec")
	if spec == nil {
		return
	}
	set(ensure(spec, "conversion"), "strategy", "None")
	names := child(spec, "names")
	if kind, ok := names["kind"].(string); ok {
		set(names, "singular", strings.ToLower(kind))
		set(names, "listKind", kind+"List")
	}
}

// defaultWebhookRules: a webhook rule's scope defaults to "*" (admissionregistration
// v1 SetDefaults_Rule); rules are an atomic list, compared whole.
func defaultWebhookRules(obj map[string]any) {
	each(obj, "webhooks", func(w map[string]any) {
		each(w, "rules", func(r map[string]any) { set(r, "scope", "*") })
	})
}

package drift

import "strings"

// defaultPodTemplate defaults a pod template's spec (Deployments, Jobs, ...).
func defaultPodTemplate(tmpl map[string]any) { defaultPodSpec(child(tmpl, "spec")) }

func defaultPodSpec(spec map[string]any) {
	if spec == nil {
		return
	}
	set(spec, "dnsPolicy", "ClusterFirst")
	set(spec, "restartPolicy", "Always")
	set(spec, "terminationGracePeriodSeconds", int64(30))
	set(spec, "securityContext", map[string]any{})
	set(spec, "schedulerName", "default-scheduler")
	hostNetwork, _ := spec["hostNetwork"].(bool)
	for _, list := range []string{"initContainers", "containers"} {
		each(spec, list, func(c map[string]any) { defaultContainer(c, hostNetwork) })
	}
	each(spec, "volumes", defaultVolume)
}

// defaultPod adds what a bare Pod gets besides its spec's defaults: admission
// (ServiceAccount, Priority, DefaultTolerationSeconds) and the scheduler's
// binding.
func defaultPod(obj map[string]any) {
	spec := child(obj, "spec")
	defaultPodSpec(spec)
	if spec == nil {
		return
	}
	set(spec, "enableServiceLinks", true)
	// Admission plugins a cluster may run or not (envtest runs no ServiceAccount).
	set(spec, "serviceAccountName", OneOf("default", nil))
	set(spec, "serviceAccount", OneOf(spec["serviceAccountName"], nil))
	set(spec, "priority", OneOf(int64(0), nil))
	set(spec, "preemptionPolicy", OneOf("PreemptLowerPriority", nil))
	set(spec, "nodeName", Any)
	declared, _ := spec["tolerations"].([]any)
	spec["tolerations"] = OneOf(withDefaultTolerations(declared), nilIfEmpty(declared))
}

func nilIfEmpty(l []any) any {
	if len(l) == 0 {
		return nil
	}
	return l
}

// withDefaultTolerations appends the DefaultTolerationSeconds admission plugin's
// tolerations a Pod does not declare.
func withDefaultTolerations(declared []any) []any {
	list := append([]any(nil), declared...)
	for _, key := range []string{"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"} {
		found := false
		for _, t := range list {
			if m, _ := t.(map[string]any); m["key"] == key || (m["key"] == nil && m["operator"] == "Exists") {
				found = true
			}
		}
		if !found {
			list = append(list, map[string]any{"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": int64(300)})
		}
	}
	return list
}

func defaultContainer(c map[string]any, hostNetwork bool) {
	set(c, "terminationMessagePath", "/dev/termination-log")
	set(c, "terminationMessagePolicy", "File")
	image, _ := c["image"].(string)
	set(c, "imagePullPolicy", pullPolicy(image))
	each(c, "ports", func(p map[string]any) {
		set(p, "protocol", "TCP")
		if hostNetwork {
			set(p, "hostPort", p["containerPort"])
		}
	})
	each(c, "env", func(e map[string]any) {
		from := child(e, "valueFrom")
		set(child(from, "fieldRef"), "apiVersion", "v1")
		set(child(from, "resourceFieldRef"), "divisor", "0")
	})
	for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
		defaultProbe(child(c, probe))
	}
	for _, hook := range []string{"postStart", "preStop"} {
		set(child(child(child(c, "lifecycle"), hook), "httpGet"), "scheme", "HTTP")
	}
}

func defaultProbe(p map[string]any) {
	if p == nil {
		return
	}
	set(p, "timeoutSeconds", int64(1))
	set(p, "periodSeconds", int64(10))
	set(p, "successThreshold", int64(1))
	set(p, "failureThreshold", int64(3))
	set(child(p, "httpGet"), "scheme", "HTTP")
}

// pullPolicy is the default imagePullPolicy: Always for :latest or no tag.
func pullPolicy(image string) string {
	if strings.Contains(image, "@") {
		return "IfNotPresent"
	}
	name := image[strings.LastIndex(image, "/")+1:]
	if i := strings.LastIndex(name, ":"); i < 0 || name[i+1:] == "latest" {
		return "Always"
	}
	return "IfNotPresent"
}

func defaultVolume(v map[string]any) {
	for _, src := range []string{"configMap", "secret", "downwardAPI", "projected"} {
		set(child(v, src), "defaultMode", int64(420))
	}
	each(child(v, "downwardAPI"), "items", defaultDownwardItem)
	each(child(v, "projected"), "sources", func(s map[string]any) {
		each(child(s, "downwardAPI"), "items", defaultDownwardItem)
	})
}

func defaultDownwardItem(it map[string]any) {
	set(child(it, "fieldRef"), "apiVersion", "v1")
	set(child(it, "resourceFieldRef"), "divisor", "0")
}

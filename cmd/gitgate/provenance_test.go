package main

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// TestProvenance is the provenance suite: for each shape of the fixture, a
// drift's file:line is the line that set the value — the document, the List
// item, the stringData key, the component's JSON 6902 append, the overlay's
// patch or the base's entry the overlay renumbered — and a drift inside a list
// compared whole names the item and field where git and the request differ.
func TestProvenance(t *testing.T) {
	snap := fixtureSnapshot(t)
	schemas := drift.Chain{drift.NewBuiltinSchemas(), drift.NewCRDSchemas(snap.CRDs())}
	cases := []struct {
		name     string
		key      gitindex.Key
		change   func(obj map[string]any)
		wantPath string // the drift, down to where the values differ
		file     string
		marker   string
	}{
		{name: "first document", key: deploy("default", "web"), change: set(int64(5), "spec", "replicas"),
			wantPath: "spec.replicas", file: "apps/web.yaml", marker: "web-replicas"},
		{name: "keyed list item", key: deploy("default", "web"), change: set("registry.example/web:9", "spec", "template", "spec", "containers", 0, "image"),
			wantPath: "spec.template.spec.containers[name=web].image", file: "apps/web.yaml", marker: "web-image"},
		{name: "second document", key: gitindex.Key{Kind: "Service", Namespace: "default", Name: "web"}, change: set(int64(9090), "spec", "ports", 0, "targetPort"),
			wantPath: "spec.ports[port=80,protocol=TCP].targetPort", file: "apps/web.yaml", marker: "web-svc-target"},
		{name: "stringData key", key: gitindex.Key{Kind: "Secret", Namespace: "default", Name: "web-credentials"}, change: set(base64.StdEncoding.EncodeToString([]byte("x")), "data", "password"),
			wantPath: "data.password", file: "apps/secret.yaml", marker: "secret-password"},
		{name: "List item", key: gitindex.Key{Kind: "ConfigMap", Namespace: "default", Name: "web-tuning"}, change: set("5", "data", "level"),
			wantPath: "data.level", file: "apps/configs.yaml", marker: "cm-level"},
		{name: "Ingress rules compared whole", key: gitindex.Key{Group: "networking.k8s.io", Kind: "Ingress", Namespace: "default", Name: "web"},
			change:   set(int64(8080), "spec", "rules", 0, "http", "paths", 0, "backend", "service", "port", "number"),
			wantPath: "spec.rules[0].http.paths[0].backend.service.port.number", file: "apps/ingress.yaml", marker: "ingress-port"},
		{name: "NetworkPolicy ingress compared whole", key: gitindex.Key{Group: "networking.k8s.io", Kind: "NetworkPolicy", Namespace: "default", Name: "web"},
			change:   set("backend", "spec", "ingress", 0, "from", 0, "podSelector", "matchLabels", "role"),
			wantPath: "spec.ingress[0].from[0].podSelector.matchLabels.role", file: "apps/netpol.yaml", marker: "netpol-role"},
		{name: "ClusterRole rules compared whole", key: gitindex.Key{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "web-reader"},
			change:   set([]any{"deployments", "replicasets"}, "rules", 1, "resources"),
			wantPath: "rules[1].resources[1]", file: "apps/clusterrole.yaml", marker: "role-resources"},
		{name: "custom resource keyed by its CRD", key: gitindex.Key{Group: "example.gitgate.dev", Kind: "Widget", Namespace: "default", Name: "gadget"},
			change: set(int64(5), "spec", "parts", 1, "count"), wantPath: "spec.parts[name=nut].count", file: "apps/widget.yaml", marker: "widget-nut"},
		{name: "base value through an overlay", key: deploy("shop", "api"), change: set("debug", "spec", "template", "spec", "containers", 0, "env", 0, "value"),
			wantPath: "spec.template.spec.containers[name=api].env[name=LOG_LEVEL].value", file: "kustomize/base/deployment.yaml", marker: "api-log-level"},
		{name: "component's JSON 6902 append", key: deploy("shop", "api"), change: set("disabled", "spec", "template", "spec", "containers", 0, "env", 1, "value"),
			wantPath: "spec.template.spec.containers[name=api].env[name=FEATURE_SEARCH].value", file: "kustomize/components/env/env.yaml", marker: "api-feature"},
		{name: "base entry of an item the overlay renumbered", key: gitindex.Key{Kind: "Service", Namespace: "shop", Name: "api"}, change: set(int64(9090), "spec", "ports", 0, "targetPort"),
			wantPath: "spec.ports[port=8081,protocol=TCP].targetPort", file: "kustomize/base/service.yaml", marker: "api-svc-target"},
		{name: "namespace mode from .gitgate.yaml", key: gitindex.Key{Kind: "ConfigMap", Namespace: "staging", Name: "settings"}, change: set("light", "data", "theme"),
			wantPath: "data.theme", file: "staging/settings.yaml", marker: "staging-theme"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, ok := snap.Lookup(tc.key)
			if !ok {
				t.Fatalf("%s not in the fixture", tc.key)
			}
			proposed := runtime.DeepCopyJSON(o.Object)
			tc.change(proposed)
			c := drift.New(schemas)
			changes := c.Diff(o.Object, proposed, c.DesiredOf(o))
			if len(changes) == 0 {
				t.Fatal("no drift")
			}
			path := drift.DetailPath(changes[0])
			file, line := o.SourceOf(path)
			got := struct{ Path, Source string }{path, fmt.Sprintf("%s:%d", file, line)}
			want := struct{ Path, Source string }{tc.wantPath, marker(t, tc.file, tc.marker)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("drift and its source (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProvenancePatchedValue: the value an overlay's JSON 6902 replace set is
// found in the overlay's patch, by the item's key after the patch.
func TestProvenancePatchedValue(t *testing.T) {
	o, ok := fixtureSnapshot(t).Lookup(gitindex.Key{Kind: "Service", Namespace: "shop", Name: "api"})
	if !ok {
		t.Fatal("Service shop/api not in the fixture")
	}
	file, line := o.SourceOf("spec.ports[port=8081,protocol=TCP].port")
	if got, want := fmt.Sprintf("%s:%d", file, line), marker(t, "kustomize/overlay/service-port.yaml", "api-svc-port"); got != want {
		t.Errorf("source of the patched port = %s, want %s", got, want)
	}
}

func deploy(ns, name string) gitindex.Key {
	return gitindex.Key{Group: "apps", Kind: "Deployment", Namespace: ns, Name: name}
}

// set returns a change that sets the value at a path of map fields (string)
// and list positions (int).
func set(value any, path ...any) func(map[string]any) {
	return func(obj map[string]any) {
		var cur any = obj
		for i, p := range path {
			last := i == len(path)-1
			switch k := p.(type) {
			case string:
				m := cur.(map[string]any)
				if last {
					m[k] = value
					return
				}
				cur = m[k]
			case int:
				l := cur.([]any)
				if last {
					l[k] = value
					return
				}
				cur = l[k]
			}
		}
	}
}

package scan

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// PolicyReportGVK is the PolicyReport kind of the Kubernetes policy working group.
var PolicyReportGVK = schema.GroupVersionKind{Group: "wgpolicyk8s.io", Version: "v1alpha2", Kind: "PolicyReport"}

// ReportName is the name of gitgate's PolicyReport in each namespace.
const ReportName = "gitgate-drift"

// PolicyReports renders one PolicyReport per namespace with git-declared objects
// (cluster-scoped objects go to the default namespace's report), one "fail" result
// per drifted object. Namespaces without drift get an empty report (summary only).
func PolicyReports(rep *Report, namespaces []string) []*unstructured.Unstructured {
	results := map[string][]any{}
	for _, ns := range namespaces {
		results[ns] = nil
	}
	for _, f := range rep.Findings {
		ns := f.Key.Namespace
		if ns == "" {
			ns = "default"
		}
		results[ns] = append(results[ns], result(f, rep.Commit))
	}
	out := make([]*unstructured.Unstructured, 0, len(results))
	for ns, rs := range results {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(PolicyReportGVK)
		u.SetNamespace(ns)
		u.SetName(ReportName)
		u.SetLabels(map[string]string{"app.kubernetes.io/managed-by": "gitgate"})
		u.Object["summary"] = map[string]any{"pass": int64(0), "fail": int64(len(rs)), "warn": int64(0), "error": int64(0), "skip": int64(0)}
		u.Object["results"] = rs
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetNamespace() < out[j].GetNamespace() })
	return out
}

func result(f Finding, commit string) map[string]any {
	msg := "missing: declared in git at " + f.Source + " but not in the cluster"
	if !f.Missing {
		var parts []string
		for _, c := range f.Changes {
			parts = append(parts, c.Path)
		}
		msg = fmt.Sprintf("drifted from git at %s: %s", f.Source, strings.Join(parts, ", "))
	}
	apiVersion := f.Key.Group + "/v1"
	if f.Key.Group == "" {
		apiVersion = "v1"
	}
	return map[string]any{
		"policy": "gitgate-drift", "rule": "matches-git", "result": "fail", "severity": "medium",
		"source": "gitgate", "message": msg, "scored": true,
		"properties": map[string]any{"commit": commit, "source": f.Source},
		"resources":  []any{map[string]any{"apiVersion": apiVersion, "kind": f.Key.Kind, "namespace": f.Key.Namespace, "name": f.Key.Name}},
	}
}

// Publish applies the reports with server-side apply as fieldManager, if the
// PolicyReport CRD is installed; it reports false when it is not.
func Publish(ctx context.Context, c client.Client, reports []*unstructured.Unstructured, fieldManager string) (bool, error) {
	if _, err := c.RESTMapper().RESTMapping(PolicyReportGVK.GroupKind(), PolicyReportGVK.Version); err != nil {
		if meta.IsNoMatchError(err) {
			return false, nil
		}
		return false, fmt.Errorf("policy report mapping: %w", err)
	}
	for _, r := range reports {
		if err := c.Patch(ctx, r, client.Apply, client.FieldOwner(fieldManager), client.ForceOwnership); err != nil { //nolint:staticcheck // unstructured SSA
			return true, fmt.Errorf("apply PolicyReport %s/%s: %w", r.GetNamespace(), r.GetName(), err)
		}
	}
	return true, nil
}

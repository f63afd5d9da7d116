package main

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/openapi3"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

// cliComparer is the comparison `gitgate drift` and `gitgate apply` share with the
// webhook: built-in schemas, and the API server's OpenAPI v3 for the custom
// resources snap declares (their list-map keys and defaults), fetched now.
func cliComparer(kubeconfig string, snap *gitindex.Snapshot) (*drift.Comparer, error) {
	cfg, err := restConfig(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	builtin := drift.NewBuiltinSchemas()
	crds := drift.NewOpenAPISchemas(openapi3.NewRoot(disc.OpenAPIV3()))
	var gvks []schema.GroupVersionKind
	for _, o := range snap.Objects() {
		if gvk := o.GroupVersionKind(); !builtin.Type(gvk).Known() {
			gvks = append(gvks, gvk)
		}
	}
	crds.Prefetch(gvks)
	return drift.New(drift.Chain{builtin, crds}), nil
}

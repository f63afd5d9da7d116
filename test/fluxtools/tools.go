//go:build tools

// Package fluxtools pins Flux's kustomize-controller for the e2e control plane.
// Nothing imports it; test/fluxtools/build.sh builds the binary from this module
// graph, and the e2e tests read the Flux CRDs (kustomize-controller's and
// source-controller's config/crd/bases) from this graph's module cache.
package fluxtools

import (
	_ "github.com/fluxcd/kustomize-controller"
	_ "github.com/fluxcd/source-controller/api/v1"
)

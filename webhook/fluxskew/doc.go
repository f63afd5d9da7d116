// Package fluxskew makes visible how far Flux lags behind gitgate: it compares
// the commit gitgate enforces with the revision each named Flux Kustomization
// last applied (status.lastAppliedRevision) and exports the skew as metrics.
// gitgate enforces a new commit as soon as it has polled it; Flux applies it when
// its source has fetched it and the Kustomization has reconciled, so the two
// differ for a while after every push. The metrics say for how long.
package fluxskew

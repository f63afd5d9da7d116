// Package manifests holds gitgate's install, in two forms that must agree: the
// kustomize base in this folder (kubectl apply -k manifests/) and the Helm chart
// in chart/gitgate. It has no code; its tests render both and prove that the
// chart's defaults install the same objects as the base, that the chart lints
// clean, and that its values.schema.json refuses values that would break the
// install.
package manifests

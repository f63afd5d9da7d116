// Package yamlline finds where a field is written in a YAML document: the line
// of a drift path (spec.template.spec.containers[name=nginx].image, split with
// SplitPath) in the text of a manifest, with the scalar written there, and the
// lines of a List document's items. gitindex uses it to point denials at a
// file:line and kustomize edits at the entry that set a field.
//
// Find answers from a scan of the lines for the plain block shape of nearly
// every manifest, and parses the document with yaml.v3 only when the text steps
// outside that shape; FuzzQuickLine checks the scan against the yaml.v3 walk.
// It parses on every call, so it belongs on the denial path, not the hot path.
package yamlline

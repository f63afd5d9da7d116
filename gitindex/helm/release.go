package helm

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
)

// Group is the API group of Flux's HelmRelease.
const Group = "helm.toolkit.fluxcd.io"

// CRDPolicy is what helm-controller does with a chart's crds/ folder on install
// or upgrade.
type CRDPolicy string

// The CRD policies of a HelmRelease's install.crds and upgrade.crds.
const (
	CRDSkip          CRDPolicy = "Skip"
	CRDCreate        CRDPolicy = "Create"
	CRDCreateReplace CRDPolicy = "CreateReplace"
)

// ValuesReference is one spec.valuesFrom entry.
type ValuesReference struct {
	Kind, Name, ValuesKey, TargetPath string
	Optional                          bool
	Index                             int // its index in spec.valuesFrom
}

// Release is what a HelmRelease says about the release helm-controller makes.
type Release struct {
	// Name and Namespace are the HelmRelease's own.
	Name, Namespace string
	// ReleaseName is the Helm release's name; TargetNamespace the namespace the
	// chart's objects go to; StorageNamespace where Helm keeps its release Secrets.
	ReleaseName, TargetNamespace, StorageNamespace string
	// SourceKind and SourceName name spec.chart.spec.sourceRef; Chart is
	// spec.chart.spec.chart (a path for a GitRepository).
	SourceKind, SourceName, SourceNamespace, Chart, Version string
	ValuesFiles                                             []string
	ValuesFrom                                              []ValuesReference
	Values                                                  map[string]any
	// InstallCRDs and UpgradeCRDs are install.crds and upgrade.crds (defaults
	// Create and Skip, as helm-controller's).
	InstallCRDs, UpgradeCRDs CRDPolicy
	// CommonLabels and CommonAnnotations are spec.commonMetadata's.
	CommonLabels, CommonAnnotations map[string]any
	// PostRenderers is whether spec.postRenderers is set.
	PostRenderers bool
}

// IsHelmRelease reports whether obj is a Flux HelmRelease.
func IsHelmRelease(obj map[string]any) bool {
	apiVersion, _ := obj["apiVersion"].(string)
	return obj["kind"] == "HelmRelease" && strings.HasPrefix(apiVersion, Group+"/")
}

// ParseRelease reads a HelmRelease; defaultNamespace is the namespace of one
// that declares none.
func ParseRelease(obj map[string]any, defaultNamespace string) (*Release, error) {
	r := &Release{Name: str(obj, "metadata", "name"), Namespace: str(obj, "metadata", "namespace")}
	if r.Namespace == "" {
		r.Namespace = defaultNamespace
	}
	r.TargetNamespace = cmp.Or(str(obj, "spec", "targetNamespace"), r.Namespace)
	r.StorageNamespace = cmp.Or(str(obj, "spec", "storageNamespace"), r.Namespace)
	r.ReleaseName = releaseName(str(obj, "spec", "releaseName"), str(obj, "spec", "targetNamespace"), r.Name)
	if _, ok := get(obj, "spec", "chartRef").(map[string]any); ok {
		return nil, fmt.Errorf("spec.chartRef (an OCIRepository or HelmChart) is not rendered: %w", ErrNotInRepository)
	}
	spec := []string{"spec", "chart", "spec"}
	r.Chart, r.Version = str(obj, append(spec, "chart")...), str(obj, append(spec, "version")...)
	r.SourceKind, r.SourceName = str(obj, append(spec, "sourceRef", "kind")...), str(obj, append(spec, "sourceRef", "name")...)
	r.SourceNamespace = cmp.Or(str(obj, append(spec, "sourceRef", "namespace")...), r.Namespace)
	if r.Chart == "" || r.SourceKind == "" {
		return nil, fmt.Errorf("spec.chart.spec.chart and sourceRef.kind are required")
	}
	for _, v := range list(obj, append(spec, "valuesFiles")...) {
		if s, ok := v.(string); ok {
			r.ValuesFiles = append(r.ValuesFiles, s)
		}
	}
	if err := r.parseValues(obj); err != nil {
		return nil, err
	}
	var err error
	if r.InstallCRDs, err = crdPolicy(str(obj, "spec", "install", "crds"), CRDCreate); err != nil {
		return nil, fmt.Errorf("spec.install.crds: %w", err)
	}
	if r.UpgradeCRDs, err = crdPolicy(str(obj, "spec", "upgrade", "crds"), CRDSkip); err != nil {
		return nil, fmt.Errorf("spec.upgrade.crds: %w", err)
	}
	r.CommonLabels, _ = get(obj, "spec", "commonMetadata", "labels").(map[string]any)
	r.CommonAnnotations, _ = get(obj, "spec", "commonMetadata", "annotations").(map[string]any)
	r.PostRenderers = len(list(obj, "spec", "postRenderers")) > 0
	return r, nil
}

func (r *Release) parseValues(obj map[string]any) error {
	r.Values, _ = get(obj, "spec", "values").(map[string]any)
	for i, v := range list(obj, "spec", "valuesFrom") {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("spec.valuesFrom[%d] is not an object", i)
		}
		ref := ValuesReference{Kind: str(m, "kind"), Name: str(m, "name"), ValuesKey: cmp.Or(str(m, "valuesKey"), "values.yaml"),
			TargetPath: str(m, "targetPath"), Index: i}
		ref.Optional, _ = m["optional"].(bool)
		if ref.Kind != "ConfigMap" && ref.Kind != "Secret" {
			return fmt.Errorf("spec.valuesFrom[%d]: kind %q is neither ConfigMap nor Secret", i, ref.Kind)
		}
		r.ValuesFrom = append(r.ValuesFrom, ref)
	}
	return nil
}

// ChartPath returns the chart's folder relative to the repository root, for a
// chart from a GitRepository.
func (r *Release) ChartPath() string {
	return strings.TrimPrefix(path.Clean("/"+r.Chart), "/")
}

// String names the HelmRelease as namespace/name.
func (r *Release) String() string { return r.Namespace + "/" + r.Name }

func crdPolicy(s string, def CRDPolicy) (CRDPolicy, error) {
	switch p := CRDPolicy(s); p {
	case "":
		return def, nil
	case CRDSkip, CRDCreate, CRDCreateReplace:
		return p, nil
	}
	return "", fmt.Errorf("unknown policy %q", s)
}

// releaseName computes the release name as helm-controller does.
func releaseName(explicit, targetNamespace, name string) string {
	n := explicit
	if n == "" {
		n = name
		if targetNamespace != "" {
			n = targetNamespace + "-" + name
		}
	}
	return ShortenName(n)
}

// ShortenName shortens a release name longer than Helm's 53 characters as
// helm-controller does: the first 40 characters, a dash and 12 hex digits of
// the name's SHA-256.
func ShortenName(name string) string {
	const maxLength, hashLength = 53, 12
	if len(name) <= maxLength {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return name[:maxLength-hashLength-1] + "-" + hex.EncodeToString(sum[:])[:hashLength]
}

func get(obj map[string]any, keys ...string) any {
	var v any = obj
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(obj map[string]any, keys ...string) string {
	s, _ := get(obj, keys...).(string)
	return s
}

func list(obj map[string]any, keys ...string) []any {
	l, _ := get(obj, keys...).([]any)
	return l
}

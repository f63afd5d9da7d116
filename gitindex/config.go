package gitindex

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// ConfigFile is the repository-root file with gitgate's per-repository settings.
const ConfigFile = source.ConfigFile

// Config is the content of .gitgate.yaml:
//
//	namespaces:
//	  staging:
//	    mode: warn   # enforce | warn | audit; overrides --mode for this namespace
//	owners:          # fields of declared objects that an identity owns, not git
//	  - identity: system:serviceaccount:ops:tuner
//	    group: apps
//	    kind: Deployment
//	    namespace: shop   # optional: every namespace
//	    name: web         # optional: every object of the kind
//	    paths: [spec.replicas]
//	presets:         # identities of the built-in owners ([] turns one off)
//	  keda: [system:serviceaccount:autoscaling:keda-operator]
type Config struct {
	Namespaces map[string]NamespaceConfig `json:"namespaces,omitempty"`
	// Owners give paths of declared objects to exact identities.
	Owners []OwnerConfig `json:"owners,omitempty"`
	// Presets replace a built-in preset's identities (DefaultPresetIdentities).
	Presets map[string][]string `json:"presets,omitempty"`
}

// OwnerConfig is one entry of .gitgate.yaml's owners.
type OwnerConfig struct {
	// Identity is the owner's exact username (never a group or a pattern).
	Identity string `json:"identity"`
	// Group and Kind select the declared objects (Group "" is the core group).
	Group string `json:"group,omitempty"`
	Kind  string `json:"kind"`
	// Namespace and Name narrow the selection; empty selects every one.
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	// Paths are the owned field paths (spec.replicas, webhooks[*].clientConfig.caBundle).
	Paths []string `json:"paths"`
}

func (oc OwnerConfig) matches(k Key) bool {
	return k.Group == oc.Group && k.Kind == oc.Kind && (oc.Namespace == "" || k.Namespace == oc.Namespace) &&
		(oc.Name == "" || k.Name == oc.Name)
}

// validate rejects an owner that would own nothing, or own by pattern.
func (oc OwnerConfig) validate() error {
	switch {
	case oc.Identity == "" || strings.ContainsAny(oc.Identity, "*?"):
		return fmt.Errorf("identity %q: name one exact username", oc.Identity)
	case oc.Kind == "":
		return fmt.Errorf("kind must not be empty")
	case len(oc.Paths) == 0:
		return fmt.Errorf("paths must not be empty")
	}
	for _, p := range oc.Paths {
		if len(PathSegments(p)) == 0 || strings.HasPrefix(p, "[") {
			return fmt.Errorf("path %q: not a field path", p)
		}
	}
	return nil
}

// NamespaceConfig overrides settings for one namespace.
type NamespaceConfig struct {
	Mode string `json:"mode,omitempty"`
}

// ModeFor returns the namespace's mode override, or "".
func (c Config) ModeFor(namespace string) string { return c.Namespaces[namespace].Mode }

func parseConfig(data []byte) (Config, error) {
	var c Config
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return Config{}, fmt.Errorf("parse %s: %w", ConfigFile, err)
	}
	names := make([]string, 0, len(c.Namespaces))
	for ns := range c.Namespaces {
		names = append(names, ns)
	}
	sort.Strings(names)
	for _, ns := range names {
		switch m := c.Namespaces[ns].Mode; m {
		case "", "enforce", "warn", "audit":
		default:
			return Config{}, fmt.Errorf("%s: namespace %s: mode %q is not one of enforce, warn, audit", ConfigFile, ns, m)
		}
	}
	for i, oc := range c.Owners {
		if err := oc.validate(); err != nil {
			return Config{}, fmt.Errorf("%s: owners[%d]: %w", ConfigFile, i, err)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(c.Presets)) {
		if _, ok := DefaultPresetIdentities[p]; !ok {
			return Config{}, fmt.Errorf("%s: preset %q is not one of %s", ConfigFile, p, strings.Join(Presets(), ", "))
		}
		for _, id := range c.Presets[p] {
			if id == "" || strings.ContainsAny(id, "*?") {
				return Config{}, fmt.Errorf("%s: preset %s: identity %q: name one exact username", ConfigFile, p, id)
			}
		}
	}
	return c, nil
}

package gitindex

import (
	"fmt"
	"sort"

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
type Config struct {
	Namespaces map[string]NamespaceConfig `json:"namespaces,omitempty"`
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
	return c, nil
}

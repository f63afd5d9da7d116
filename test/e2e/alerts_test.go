package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

// The shipped alerts are well-formed and name only metrics gitgate exports: each
// gitgate_* name in an expression is in a live scrape of gitgate, or registered by
// its code (the applier's, the guard's: not running in the shared gitgate).
func TestShippedAlertsUseRealMetrics(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(cluster.RepoRoot(), "manifests", "monitoring", "prometheusrule.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rule struct {
		APIVersion, Kind string
		Metadata         struct {
			Name, Namespace string
			Labels          map[string]string
		}
		Spec struct {
			Groups []struct {
				Name  string
				Rules []struct {
					Alert, Expr, For string
					Labels           map[string]string
					Annotations      map[string]string
				}
			}
		}
	}
	if err := yaml.UnmarshalStrict(data, &rule); err != nil {
		t.Fatal(err)
	}
	if rule.APIVersion != "monitoring.coreos.com/v1" || rule.Kind != "PrometheusRule" || len(rule.Spec.Groups) == 0 {
		t.Fatalf("not a PrometheusRule: %s %s", rule.APIVersion, rule.Kind)
	}
	known := registeredMetrics(t)
	scrape, err := gg.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`\bgitgate_[a-z_]+`)
	for _, r := range rule.Spec.Groups[0].Rules {
		if r.Alert == "" || r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
			t.Errorf("incomplete rule %+v", r)
		}
		for _, m := range name.FindAllString(r.Expr, -1) {
			if !strings.Contains(scrape, "\n"+m) && !known[m] {
				t.Errorf("%s: gitgate exports no metric %s", r.Alert, m)
			}
		}
	}
}

// registeredMetrics returns the gitgate_* names the non-test code registers.
func registeredMetrics(t *testing.T) map[string]bool {
	t.Helper()
	decl := regexp.MustCompile(`(?:Name:\s*|NewDesc\()"(gitgate_[a-z_]+)"`)
	known := map[string]bool{}
	root := cluster.RepoRoot()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() && (d.Name() == "test" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			known[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(known) < 10 {
		t.Fatalf("found only %d registered metrics", len(known))
	}
	return known
}

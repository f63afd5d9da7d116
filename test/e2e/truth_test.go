package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// TestRealRepo drives the one comparison through every consumer on a realistic
// repository (testdata/realrepo): the applier applies it and then leaves it
// alone, `gitgate drift` finds nothing, humans re-apply git's files in every
// mode without a denial, extras are denied at CREATE and UPDATE and healed by
// the applier, and repairs are allowed. The shared gitgate's webhook is removed
// meanwhile: this repository has its own gitgate, whose webhook alone judges.
func TestRealRepo(t *testing.T) {
	withoutSharedWebhook(t)
	rr := startRealRepo(t)
	steps := []struct {
		name string
		run  func(*testing.T, *realRepo)
	}{
		{"applied, then left alone", testAppliedThenLeftAlone},
		{"no false drift", testNoFalseDrift},
		{"re-applied by a human in every mode", testReapplyEveryMode},
		{"creating git's own objects is never denied", testCreateAsGitIsAllowed},
		{"extras at CREATE are denied", testExtrasAtCreate},
		{"extras at UPDATE are denied", testExtrasAtUpdate},
		{"repairs are allowed", testRepairs},
		{"absent is not empty for map entries", testAbsentIsNotEmpty},
		{"an extra a controller identity added is drift, healed", testExtraHealed},
		{"a 500 KB CRD change covered by an exception", testLargeCRDException},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { s.run(t, rr) }) {
			return // the steps build on each other
		}
	}
}

// withoutSharedWebhook removes the shared gitgate's webhook until the test ends
// (it would judge this repository's objects as undeclared ones).
func withoutSharedWebhook(t *testing.T) {
	t.Helper()
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	vwc.Name = "gitgate"
	if err := cp.Client.Delete(t.Context(), vwc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := gg.Install(ctx, cp); err != nil {
			t.Errorf("restore the shared webhook: %v", err)
		}
	})
}

func testAppliedThenLeftAlone(t *testing.T, rr *realRepo) {
	rr.settle(t)
	acts, out := rr.applyOnce(t)
	if n := len(acts["unchanged"]); n != 16 || len(acts) != 1 {
		t.Errorf("second pass: want 16 objects unchanged and nothing else:\n%s", out)
	}
}

func testNoFalseDrift(t *testing.T, rr *realRepo) {
	if rep := rr.driftReport(t); len(rep.Findings) > 0 {
		t.Errorf("false drift on a freshly applied cluster:\n%s", strings.Join(driftPaths(rep), "\n"))
	}
}

// reapplyModes are the ways a human re-applies git's files; replace skips the
// Pod, whose spec the API server does not let a PUT change (its volumes come
// from admission).
var reapplyModes = []struct {
	name string
	args []string
}{
	{"client-side apply", []string{"apply"}},
	{"server-side apply", []string{"apply", "--server-side", "--force-conflicts"}},
	{"server-side apply as gitgate", []string{"apply", "--server-side", "--force-conflicts", "--field-manager=gitgate"}},
	{"replace", []string{"replace"}},
}

func testReapplyEveryMode(t *testing.T, rr *realRepo) {
	for _, m := range reapplyModes {
		t.Run(m.name, func(t *testing.T) {
			for _, src := range realSources(rr, m.name == "replace") {
				if out, ok := asHuman(t, append(append([]string{}, m.args...), src...)...); !ok {
					t.Errorf("%s %s: %s", m.name, strings.Join(src, " "), out)
				}
			}
			if rep := rr.driftReport(t); len(rep.Findings) > 0 {
				t.Errorf("drift after %s:\n%s", m.name, strings.Join(driftPaths(rep), "\n"))
			}
			rr.settle(t) // puts back the management label a replace drops
		})
	}
}

// realSources are kubectl's -f/-k arguments for every file of the repository.
func realSources(rr *realRepo, noPod bool) [][]string {
	k8s := filepath.Join(rr.repo.Dir, "k8s")
	out := [][]string{{"-f", filepath.Join(k8s, "namespaces.yaml")}, {"-k", filepath.Join(k8s, "shop", "overlay")}}
	for _, f := range []string{"backup-crd.yaml", "backup.yaml", "config.yaml", "ledger.yaml", "services.yaml", "debug-pod.yaml"} {
		if !(noPod && f == "debug-pod.yaml") {
			out = append(out, []string{"-f", filepath.Join(k8s, "data", f)})
		}
	}
	return out
}

func testCreateAsGitIsAllowed(t *testing.T, rr *realRepo) {
	for _, src := range realSources(rr, false) {
		out, _ := asHuman(t, append([]string{"create"}, src...)...)
		if strings.Contains(out, "denied the request") || !strings.Contains(out, "AlreadyExists") && !strings.Contains(out, "already exists") {
			t.Errorf("create %s: want only AlreadyExists, got:\n%s", strings.Join(src, " "), out)
		}
	}
}

// realVariant writes a copy of a file of the repository with replacements.
func realVariant(t *testing.T, rr *realRepo, rel string, replace ...string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(rr.repo.Dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("%s does not contain %q", rel, replace[i])
		}
		s = strings.Replace(s, replace[i], replace[i+1], 1)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(rel))
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/test/cluster"
)

var (
	cp   *cluster.ControlPlane
	repo *cluster.Repo
	gg   *cluster.Gitgate
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e setup:", err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "gitgate-e2e-")
	if err != nil {
		return 1, err
	}
	keep := os.Getenv("GITGATE_E2E_KEEP") != ""
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	bin, err := cluster.BuildGitgate(dir)
	if err != nil {
		return 1, err
	}
	if cp, err = cluster.Start(dir); err != nil {
		return 1, err
	}
	defer cp.Stop()
	defer stopFlux() // Flux's kustomize-controller, if a Flux test started it
	if repo, err = cluster.NewRepo(filepath.Join("testdata", "repo"), filepath.Join(dir, "repo")); err != nil {
		return 1, err
	}
	gdir := filepath.Join(dir, "gitgate")
	if err := os.MkdirAll(gdir, 0o755); err != nil {
		return 1, err
	}
	if gg, err = cluster.StartGitgate(bin, gdir, cp.Sync, "--repo="+repo.Dir, "--path=k8s", "--interval=1s", "--drift-interval=2s", "--exposure-interval=2s"); err != nil {
		return 1, dumpOnError(err, gdir)
	}
	gg.MetricsToken = cp.MetricsToken
	defer gg.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := gg.Install(ctx, cp); err != nil {
		return 1, err
	}
	if err := seed(); err != nil {
		return 1, dumpOnError(err, gdir)
	}
	code := m.Run()
	if code != 0 || keep {
		fmt.Fprintf(os.Stderr, "e2e: logs in %s\n", dir)
		keep = true
	}
	return code, nil
}

// seed applies git's manifests as the sync identity, as the applier would.
func seed() error {
	apply := func(args ...string) error {
		out, err := cp.Kubectl(cp.Sync, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("seed: kubectl %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	for _, d := range []string{"k8s/namespaces", "k8s/crds"} {
		if err := apply("apply", "--server-side", "--field-manager=gitgate", "-f", filepath.Join(repo.Dir, d)); err != nil {
			return err
		}
	}
	if err := apply("wait", "--for=condition=Established", "--timeout=60s", "crd/greetings.demo.gitgate.dev"); err != nil {
		return err
	}
	return apply("apply", "--server-side", "--field-manager=gitgate", "-f", filepath.Join(repo.Dir, "k8s/app"))
}

func dumpOnError(err error, dir string) error {
	log, _ := os.ReadFile(filepath.Join(dir, "gitgate.log"))
	lines := strings.Split(string(log), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return fmt.Errorf("%w\ngitgate log tail:\n%s", err, strings.Join(lines, "\n"))
}

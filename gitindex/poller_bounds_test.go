package gitindex

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitgate-dev/gitgate/gitindex/internal/gittest"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// pollerStatus is what the bounds tests check of a Poller after a sync.
type pollerStatus struct {
	Served, Rejected, Limit string
}

func statusOf(p *Poller, names map[string]string) pollerStatus {
	st := p.Status()
	return pollerStatus{Served: names[st.Commit], Rejected: names[st.RejectedCommit], Limit: st.RejectedLimit}
}

// TestPollerRejectsCommitOverLimits: a commit over a bound is rejected like
// any bad commit while the last good revision keeps serving; a Poller started
// on that commit (a restarted pod) serves nothing, says why, and serves the
// fixing commit when it lands.
func TestPollerRejectsCommitOverLimits(t *testing.T) {
	dir, git := gittest.Repo(t)
	names := map[string]string{"": ""}
	names[gittest.Commit(t, dir, git, "k8s/cms.yaml", tinyConfigMaps(10, 0))] = "good"
	big := gittest.Commit(t, dir, git, "k8s/cms.yaml", tinyConfigMaps(11, 0))
	names[big] = "big"
	opts := BuildOptions{Paths: []string{"k8s"}, Limits: Limits{MaxObjects: 10}}
	newPoller := func() *Poller {
		src, err := source.New(source.Options{URL: dir})
		if err != nil {
			t.Fatal(err)
		}
		return NewPoller(src, opts, time.Hour, func(context.Context, *Snapshot) error { return nil })
	}

	running := newPoller()
	git("checkout", "-q", "HEAD~1")
	git("branch", "-f", "main", "HEAD")
	git("checkout", "-q", "main")
	if err := running.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	git("reset", "-q", "--hard", big)
	err := running.Sync(t.Context())
	if err == nil || !strings.Contains(err.Error(), "more than 10 objects") {
		t.Fatalf("Sync of the big commit: %v, want the reason", err)
	}
	if diff := cmp.Diff(pollerStatus{Served: "good", Rejected: "big", Limit: LimitObjects}, statusOf(running, names)); diff != "" {
		t.Errorf("running pod (-want +got):\n%s", diff)
	}

	restarted := newPoller()
	if err := restarted.Sync(t.Context()); err == nil {
		t.Fatal("restart on the big commit: want an error")
	}
	if diff := cmp.Diff(pollerStatus{Rejected: "big", Limit: LimitObjects}, statusOf(restarted, names)); diff != "" {
		t.Errorf("restarted pod (-want +got):\n%s", diff)
	}
	if err := restarted.Sync(t.Context()); err != nil || !strings.Contains(restarted.Status().Err, "more than 10 objects") {
		t.Errorf("the same HEAD again: %v; it must not be built again, and Status must still say why: %q", err, restarted.Status().Err)
	}

	names[gittest.Commit(t, dir, git, "k8s/cms.yaml", tinyConfigMaps(9, 0))] = "fix"
	for _, p := range []*Poller{running, restarted} {
		if err := p.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(pollerStatus{Served: "fix"}, statusOf(p, names)); diff != "" {
			t.Errorf("after the fix (-want +got):\n%s", diff)
		}
	}
}

// fanOut writes a kustomization of the given depth in which each level takes
// both kustomizations of the level below, with a prefix each: 2^levels
// ConfigMaps, and CPU that doubles per level. top/ is the one to render.
func fanOut(t *testing.T, dir string, levels int) {
	for _, side := range []string{"a", "b"} {
		gittest.Write(t, dir, fmt.Sprintf("fan/l0/%s/kustomization.yaml", side), "resources: [cm.yaml]\n")
		gittest.Write(t, dir, fmt.Sprintf("fan/l0/%s/cm.yaml", side), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "+side+"}\ndata: {k: v}\n")
		for l := 1; l <= levels; l++ {
			gittest.Write(t, dir, fmt.Sprintf("fan/l%d/%s/kustomization.yaml", l, side),
				fmt.Sprintf("namePrefix: %s-\nresources: [../../l%d/a, ../../l%d/b]\n", side, l-1, l-1))
		}
	}
	gittest.Write(t, dir, "top/kustomization.yaml", fmt.Sprintf("resources: [../fan/l%d/a]\n", levels))
}

// smallKustomization replaces top/ with a kustomization of one ConfigMap.
func smallKustomization(t *testing.T, dir string) {
	if err := os.RemoveAll(filepath.Join(dir, "fan")); err != nil {
		t.Fatal(err)
	}
	gittest.Write(t, dir, "top/kustomization.yaml", "resources: [cm.yaml]\n")
	gittest.Write(t, dir, "top/cm.yaml", gittest.ConfigMap("fixed"))
}

// TestPollerBuildDeadline: a kustomize fan-out is rejected at the build
// deadline, its render stops soon after, and the fixing commit is served at once.
func TestPollerBuildDeadline(t *testing.T) {
	dir, git := gittest.Repo(t)
	fanOut(t, dir, 13)
	git("add", "-A")
	git("commit", "-q", "-m", "fan-out")
	names := map[string]string{"": "", git("rev-parse", "HEAD"): "fan-out"}
	src, err := source.New(source.Options{URL: dir})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPoller(src, BuildOptions{Paths: []string{"top"}}, time.Hour, func(context.Context, *Snapshot) error { return nil })
	p.BuildTimeout = time.Second
	start := time.Now()
	err = p.Sync(t.Context())
	rejectedIn := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "longer than 1s") || rejectedIn > 5*time.Second {
		t.Fatalf("fan-out: %v after %s, want a rejection for build time after ~1s", err, rejectedIn)
	}
	if diff := cmp.Diff(pollerStatus{Rejected: "fan-out", Limit: LimitBuildTime}, statusOf(p, names)); diff != "" {
		t.Errorf("after the fan-out (-want +got):\n%s", diff)
	}
	stopped, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := kustomizeSem.Acquire(stopped, kustomizeAlone); err != nil {
		t.Fatalf("the abandoned render still runs %s after the deadline: %v", time.Since(start)-rejectedIn, err)
	}
	kustomizeSem.Release(kustomizeAlone)
	t.Logf("rejected after %s; the render stopped %s later", rejectedIn, time.Since(start)-rejectedIn)

	smallKustomization(t, dir)
	git("add", "-A")
	git("commit", "-q", "-m", "fix")
	names[git("rev-parse", "HEAD")] = "fix"
	start = time.Now()
	if err := p.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pollerStatus{Served: "fix"}, statusOf(p, names)); diff != "" {
		t.Errorf("after the fix (-want +got):\n%s", diff)
	}
	t.Logf("fix served in %s", time.Since(start))
}

// TestPollerAbandonsBuildForNewHead: with a generous deadline, a new HEAD
// arriving during a long build is served right away; the long build is
// abandoned, not rejected.
func TestPollerAbandonsBuildForNewHead(t *testing.T) {
	dir, git := gittest.Repo(t)
	fanOut(t, dir, 13)
	git("add", "-A")
	git("commit", "-q", "-m", "fan-out")
	names := map[string]string{"": "", git("rev-parse", "HEAD"): "fan-out"}
	src, err := source.New(source.Options{URL: dir})
	if err != nil {
		t.Fatal(err)
	}
	var loads atomic.Int32
	p := NewPoller(src, BuildOptions{Paths: []string{"top"}}, time.Hour, func(context.Context, *Snapshot) error { loads.Add(1); return nil })
	p.BuildTimeout = 10 * time.Minute
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- p.Start(ctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(500 * time.Millisecond) // the fan-out is building

	smallKustomization(t, dir)
	git("add", "-A")
	git("commit", "-q", "-m", "fix")
	names[git("rev-parse", "HEAD")] = "fix"
	start := time.Now()
	p.Trigger()
	waitFor(t, func() bool { return p.Status().Commit != "" })
	if diff := cmp.Diff(pollerStatus{Served: "fix"}, statusOf(p, names)); diff != "" || loads.Load() != 1 {
		t.Errorf("after the new HEAD (-want +got):\n%s\nloads: %d, want 1", diff, loads.Load())
	}
	t.Logf("new HEAD served %s after the trigger", time.Since(start))
}

// TestRendersRunSideBySide renders kustomizations on several goroutines at once,
// one of them setting openapi (which renders alone), as an abandoned build and
// the next one do; run with -race.
func TestRendersRunSideBySide(t *testing.T) {
	plain := []File{
		{Path: "k/kustomization.yaml", Data: []byte("resources: [cm.yaml]\nnamePrefix: p-\n")},
		{Path: "k/cm.yaml", Data: []byte(tinyConfigMaps(5, 0))},
	}
	withOpenAPI := []File{
		{Path: "k/kustomization.yaml", Data: []byte("openapi:\n  version: v1.21.2\nresources: [cm.yaml]\nnamePrefix: o-\n")},
		{Path: "k/cm.yaml", Data: []byte(tinyConfigMaps(5, 0))},
	}
	errs := make(chan error, 8)
	for i := range 8 {
		files, prefix := plain, "p-"
		if i%4 == 3 {
			files, prefix = withOpenAPI, "o-"
		}
		go func() {
			s, err := BuildContext(t.Context(), "c", files, BuildOptions{})
			if err == nil {
				if _, ok := s.Lookup(Key{Kind: "ConfigMap", Namespace: "default", Name: prefix + "c0"}); !ok || s.Len() != 5 {
					err = fmt.Errorf("%d objects, %sc0 missing", s.Len(), prefix)
				}
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestBuildLimitsStopKustomizeEarly: what kustomize reads is charged before it
// parses it, so a fan-out over the memory bound is rejected long before its
// render would end (minutes of CPU: longer than the test's deadline).
func TestBuildLimitsStopKustomizeEarly(t *testing.T) {
	dir, _ := gittest.Repo(t)
	fanOut(t, dir, 13)
	var files []File
	for _, rel := range []string{"top/kustomization.yaml"} {
		files = append(files, File{Path: rel, Data: readFile(t, dir, rel)})
	}
	for l := 0; l <= 13; l++ {
		for _, side := range []string{"a", "b"} {
			rel := fmt.Sprintf("fan/l%d/%s/kustomization.yaml", l, side)
			files = append(files, File{Path: rel, Data: readFile(t, dir, rel)})
		}
	}
	files = append(files, File{Path: "fan/l0/a/cm.yaml", Data: readFile(t, dir, "fan/l0/a/cm.yaml")}, File{Path: "fan/l0/b/cm.yaml", Data: readFile(t, dir, "fan/l0/b/cm.yaml")})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err := BuildContext(ctx, "c", files, BuildOptions{Paths: []string{"top"}, Limits: Limits{MaxIndexMemory: 256 << 10}})
	var limit *LimitError
	if !errors.As(err, &limit) || limit.Limit != LimitIndexMemory { // unbounded, the render takes minutes: ctx ends first
		t.Fatalf("fan-out under a 256 KiB memory bound: %v, want a LimitIndexMemory rejection", err)
	}
	t.Logf("rejected after %s", time.Since(start))
}

func readFile(t *testing.T, dir, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

package apply_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
)

// leaderRunnable is controller-runtime's manager.Runnable plus
// LeaderElectionRunnable.
type leaderRunnable interface {
	Start(context.Context) error
	NeedLeaderElection() bool
}

var _ leaderRunnable = (*apply.Loop)(nil)

func TestLoop(t *testing.T) {
	ns := uniqueName(t)
	c := cluster(t)
	files := fixture(t, ns, "namespace", "configmap")
	var current atomic.Pointer[gitindex.Snapshot]
	current.Store(snapshot(t, "c1", files))
	notify := make(chan struct{}, 1)
	loop := &apply.Loop{Applier: newApplier(t, ns, nil), Current: current.Load, Interval: 500 * time.Millisecond, Notify: notify}
	if !loop.NeedLeaderElection() {
		t.Error("the loop writes to the cluster: it must run on the leader only")
	}
	runLoop(t, loop)

	cmKey := gitindex.Key{Kind: "ConfigMap", Namespace: ns, Name: "settings"}
	greeting := func() any {
		if u := live(t, "v1", cmKey); u != nil {
			return u.Object["data"].(map[string]any)["greeting"]
		}
		return nil
	}
	eventually(t, "first apply creates the ConfigMap", func() bool { return greeting() == "hello" })
	if r := loop.Last(); r == nil || r.Commit != "c1" {
		t.Errorf("Last() = %v, want c1's result", r)
	}

	cm := live(t, "v1", cmKey)
	set(t, cm, "hacked", "data", "greeting")
	if err := c.Update(t.Context(), cm); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the interval heals the drift", func() bool { return greeting() == "hello" })

	files["configmap.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: " + ns + "}\ndata: {greeting: bonjour}\n"
	current.Store(snapshot(t, "c2", files))
	notify <- struct{}{}
	eventually(t, "a new snapshot is applied", func() bool { return greeting() == "bonjour" })
}

// runLoop runs loop until the test ends; any apply error fails the test.
func runLoop(t *testing.T, loop *apply.Loop) {
	ctx, cancel := context.WithCancel(t.Context())
	loop.OnResult = func(_ *apply.Result, err error) {
		if err != nil && ctx.Err() == nil {
			t.Errorf("apply: %v", err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- loop.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Start: %v", err)
		}
	})
}

// eventually polls cond for up to 15s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out: %s", what)
}

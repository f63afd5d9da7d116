package gitindex

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"

	"github.com/gitgate-dev/gitgate/gitindex/internal/gittest"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

func TestPollerKeepsLastGoodRevision(t *testing.T) {
	dir, git := gittest.Repo(t)
	gittest.Write(t, dir, "k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n")
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	first := git("rev-parse", "HEAD")

	src, err := source.New(source.Options{URL: dir, Ref: "main"})
	if err != nil {
		t.Fatal(err)
	}
	var loaded []*Snapshot
	p := NewPoller(src, BuildOptions{Paths: []string{"k8s"}}, time.Hour, func(_ context.Context, s *Snapshot) error {
		loaded = append(loaded, s)
		return nil
	})
	if err := p.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p.Status().Commit != first || len(loaded) != 1 || loaded[0].Len() != 1 {
		t.Fatalf("status %+v, loaded %d", p.Status(), len(loaded))
	}

	gittest.Write(t, dir, "k8s/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n")
	git("commit", "-q", "-am", "broken")
	if err := p.Sync(t.Context()); err == nil || !strings.Contains(err.Error(), "k8s/cm.yaml:1") {
		t.Fatalf("broken commit: err = %v", err)
	}
	st := p.Status()
	if st.Commit != first || st.RejectedCommit == "" || len(loaded) != 1 {
		t.Fatalf("after broken commit: status %+v, loaded %d", st, len(loaded))
	}

	os.RemoveAll(dir)
	if err := p.Sync(t.Context()); err == nil {
		t.Fatal("unreachable repository: want error")
	}
	if p.Status().Commit != first {
		t.Fatalf("unreachable repository dropped the revision: %+v", p.Status())
	}
}

// TestPushTriggersPoller sends a signed push to a real server in front of a
// Poller and waits for it to serve the new commit.
func TestPushTriggersPoller(t *testing.T) {
	dir, git := gittest.Repo(t)
	gittest.Commit(t, dir, git, "k8s/a.yaml", gittest.ConfigMap("a"))
	src, err := source.New(source.Options{URL: dir})
	if err != nil {
		t.Fatal(err)
	}
	var served atomic.Pointer[Snapshot]
	p := NewPoller(src, BuildOptions{Paths: []string{"k8s"}}, time.Hour, func(_ context.Context, s *Snapshot) error {
		served.Store(s)
		return nil
	})
	h, err := source.NewPushHandler([]byte("s"), p.Trigger, source.DefaultPushOptions())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- p.Start(ctx) }()
	defer func() { cancel(); <-done }()
	waitFor(t, func() bool { return served.Load() != nil })

	head := gittest.Commit(t, dir, git, "k8s/b.yaml", gittest.ConfigMap("b"))
	req, _ := http.NewRequest("POST", srv.URL, strings.NewReader("{}"))
	req.Header.Set("X-Gitlab-Token", "s")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("push: %v %v", resp, err)
	}
	resp.Body.Close()
	waitFor(t, func() bool { return served.Load().Commit == head })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPollerRedactsURLToken serves a repository over HTTPS to a token given as
// the URL's user, and scans everything the Poller says (the snapshot, its
// status, its log) for the token, with the right token and with a wrong one.
func TestPollerRedactsURLToken(t *testing.T) {
	const token = "ghp_UNIQUEtoken4711"
	dir, git := gittest.Repo(t)
	gittest.Commit(t, dir, git, "cm.yaml", gittest.ConfigMap("a"))
	base, ca := gittest.HTTPServer(t, filepath.Dir(dir), token, "")
	withToken := func(tok string) string {
		return strings.Replace(base, "https://", "https://"+tok+"@", 1) + "/" + filepath.Base(dir)
	}
	for _, tc := range []struct {
		name, url string
		wantErr   bool
	}{
		{name: "token as user", url: withToken(token)},
		{name: "token and password", url: withToken(token + ":" + token + "pw"), wantErr: true},
		{name: "wrong token", url: withToken(token + "x"), wantErr: true},
		{name: "token in query", url: base + "/" + filepath.Base(dir) + "?access_token=" + token, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logged strings.Builder
			log := funcr.New(func(prefix, args string) { logged.WriteString(prefix + args + "\n") }, funcr.Options{})
			src, err := source.New(source.Options{URL: tc.url, CAFile: ca})
			if err != nil {
				t.Fatal(err)
			}
			var repo string
			p := NewPoller(src, BuildOptions{}, time.Hour, func(_ context.Context, s *Snapshot) error { repo = s.Repo; return nil })
			err = p.Sync(logr.NewContext(t.Context(), log))
			if (err != nil) != tc.wantErr {
				t.Fatalf("Sync: %v, want error %v", err, tc.wantErr)
			}
			st := p.Status()
			for what, out := range map[string]string{"URL()": src.URL(), "Snapshot.Repo": repo, "Status.Err": st.Err, "error": fmt.Sprint(err), "log": logged.String()} {
				if strings.Contains(out, token) {
					t.Errorf("%s leaks the token: %s", what, out)
				}
			}
		})
	}
}

// TestPollerRefusesUntrustedCommit keeps serving the last signed commit when a
// commit no verification key signed arrives, and names it in the status.
func TestPollerRefusesUntrustedCommit(t *testing.T) {
	key, pub := gittest.NewPGPKey(t, "release")
	r := gittest.NewSignedRepo(t)
	good := r.Commit("k8s/a.yaml", gittest.ConfigMap("a"), key)
	src, err := source.New(source.Options{URL: r.Dir, VerifyKeys: []string{pub}})
	if err != nil {
		t.Fatal(err)
	}
	var loaded []string
	p := NewPoller(src, BuildOptions{Paths: []string{"k8s"}}, time.Hour, func(_ context.Context, s *Snapshot) error {
		loaded = append(loaded, s.Commit)
		return nil
	})
	if err := p.Sync(t.Context()); err != nil || p.Status().Commit != good {
		t.Fatalf("signed commit: %v, status %+v", err, p.Status())
	}
	bad := r.Commit("k8s/b.yaml", gittest.ConfigMap("b"), nil)
	err = p.Sync(t.Context())
	var untrusted *source.UntrustedCommitError
	if !errors.As(err, &untrusted) || untrusted.Commit != bad {
		t.Fatalf("err = %v, want *source.UntrustedCommitError for %s", err, bad)
	}
	if st := p.Status(); st.Commit != good || st.RejectedCommit != bad || len(loaded) != 1 {
		t.Fatalf("status %+v, loaded %v: the last good revision must stay", st, loaded)
	}
}

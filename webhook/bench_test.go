package webhook

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/webhook/audit"
)

// benchHandler indexes n Deployments (one file each) and returns a handler serving them.
func benchHandler(b *testing.B, n int) *Handler {
	b.Helper()
	files := make([]gitindex.File, 0, n)
	for i := range n {
		doc := strings.Replace(gitDeployment, "name: nginx\n", fmt.Sprintf("name: app-%d\n", i), 1)
		files = append(files, gitindex.File{Path: fmt.Sprintf("k8s/app-%d.yaml", i), Data: []byte(doc)})
	}
	snap, err := gitindex.Build("0123456789abcdef0123456789abcdef01234567", files, gitindex.BuildOptions{Repo: "repo"})
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewHandler(Options{Identities: Identities{SyncUsers: []string{"gitgate"}}, Auditor: &discardAuditor{}, Revisions: serving(b, snap)})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

type discardAuditor struct{}

func (discardAuditor) Record(audit.Record) bool { return true }

// BenchmarkHandle measures Handle() on a Deployment for each path with 1k, 10k and
// 50k indexed objects, reporting p50/p99 besides ns/op.
func BenchmarkHandle(b *testing.B) {
	live := strings.Replace(liveDeployment, "name: nginx\n", "name: app-7\n", 1)
	cases := []struct {
		name string
		req  reqOpts
	}{
		{"update-nodrift", reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "app-7", old: live, obj: edit(live, `resourceVersion: "7"`, `resourceVersion: "8"`)}},
		{"update-drift", reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "app-7", old: live, obj: edit(live, "replicas: 3", "replicas: 5")}},
		{"scale", reqOpts{op: admissionv1.Update, user: "alice", kind: "autoscaling/v1/Kind=Scale", resource: "apps/deployments", sub: "scale", ns: "staging", name: "app-7", old: scaleObj("3"), obj: scaleObj("5")}},
		{"delete", reqOpts{op: admissionv1.Delete, user: "alice", kind: deployKind, ns: "staging", name: "app-7", old: live}},
		{"unmanaged", reqOpts{op: admissionv1.Update, user: "alice", kind: deployKind, ns: "staging", name: "not-in-git", old: live, obj: edit(live, "replicas: 3", "replicas: 5")}},
		{"sync-identity", reqOpts{op: admissionv1.Update, user: "gitgate", kind: deployKind, ns: "staging", name: "app-7", old: live, obj: edit(live, "replicas: 3", "replicas: 5")}},
	}
	for _, n := range []int{1000, 10000, 50000} {
		h := benchHandler(b, n)
		for _, c := range cases {
			b.Run(fmt.Sprintf("objects=%d/%s", n, c.name), func(b *testing.B) {
				req := request(&testing.T{}, c.req)
				benchLatency(b, h, req)
			})
		}
	}
}

func benchLatency(b *testing.B, h *Handler, req admission.Request) {
	ctx := b.Context()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		_ = h.Handle(ctx, req)
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	}
}

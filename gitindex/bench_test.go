package gitindex

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/gitindex/internal/gittest"
	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// benchDeployment is a typical Deployment of about 45 lines.
const benchDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  namespace: team-%[2]d
  labels: {app.kubernetes.io/name: app-%[1]d, app.kubernetes.io/part-of: shop, tier: backend}
  annotations: {owner: team-%[2]d@example.com}
spec:
  replicas: 3
  revisionHistoryLimit: 5
  selector:
    matchLabels: {app.kubernetes.io/name: app-%[1]d}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%%, maxUnavailable: 0}
  template:
    metadata:
      labels: {app.kubernetes.io/name: app-%[1]d, tier: backend}
    spec:
      serviceAccountName: app-%[1]d
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: registry.example.com/shop/app-%[1]d:v1.%[3]d.0
        args: [--listen=:8080, --log-level=info]
        ports:
        - {name: http, containerPort: 8080, protocol: TCP}
        - {name: metrics, containerPort: 9090, protocol: TCP}
        env:
        - {name: DATABASE_HOST, value: db.team-%[2]d.svc}
        - {name: CACHE_TTL, value: "300"}
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: "1", memory: 512Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 10
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
`

const objectsPerFile = 10

// benchFile renders one manifest file of the synthetic repository.
func benchFile(file, version int) string {
	docs := make([]string, objectsPerFile)
	for i := range docs {
		n := file*objectsPerFile + i
		docs[i] = fmt.Sprintf(benchDeployment, n, n%50, version)
	}
	return strings.Join(docs, "---\n")
}

// benchRepo makes a git repository of n Deployments in n/10 files.
func benchRepo(b *testing.B, n int) (dir string, git func(...string) string) {
	b.Helper()
	dir, git = gittest.Repo(b)
	for f := range n / objectsPerFile {
		p := filepath.Join(dir, "k8s", fmt.Sprintf("team-%02d", f%50), fmt.Sprintf("apps-%05d.yaml", f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(benchFile(f, 0)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	git("add", "-A")
	git("commit", "-q", "-m", "synthetic")
	return dir, git
}

// fetchAndBuild is what the Poller does for a new commit (but returns files read).
func fetchAndBuild(b *testing.B, src *source.Source, prev *Snapshot) (*Snapshot, []File) {
	commit, err := src.Fetch(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	files, err := src.LazyFiles(commit, "k8s", "policies")
	if err != nil {
		b.Fatal(err)
	}
	snap, err := Build(commit, files, BuildOptions{Paths: []string{"k8s"}, Previous: prev})
	if err != nil {
		b.Fatal(err)
	}
	if prev == nil { // every file was read: hand them to the benchmarks from memory
		files, err = src.Files(commit, "k8s", "policies")
		if err != nil {
			b.Fatal(err)
		}
	}
	return snap, files
}

// BenchmarkBuild measures, for synthetic repositories of Deployments: a cold
// start from a local repository (clone, read, build), a build from files in
// memory, a one-file commit through the poller's path and through Build alone,
// and the heap a snapshot holds per object.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 50_000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			dir, git := benchRepo(b, n)
			b.Run("cold-source+build", func(b *testing.B) {
				defer reportCPU(b)()
				for range b.N {
					src, err := source.New(source.Options{URL: dir})
					if err != nil {
						b.Fatal(err)
					}
					fetchAndBuild(b, src, nil)
				}
			})
			src, _ := source.New(source.Options{URL: dir})
			prev, files := fetchAndBuild(b, src, nil)
			b.Run("cold-build", func(b *testing.B) {
				defer reportCPU(b)()
				for range b.N {
					if _, err := Build("c", files, BuildOptions{Paths: []string{"k8s"}}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("one-file-build", func(b *testing.B) { benchOneFileBuild(b, files, prev) })
			b.Run("one-file-commit", func(b *testing.B) {
				var cpu time.Duration
				for range b.N {
					b.StopTimer()
					benchVersion++
					gittest.Commit(b, dir, git, filepath.Join("k8s", "team-07", "apps-00007.yaml"), benchFile(7, benchVersion))
					start := cpuTime()
					b.StartTimer()
					prev, _ = fetchAndBuild(b, src, prev)
					b.StopTimer()
					cpu += cpuTime() - start
				}
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			})
			b.Run("heap", func(b *testing.B) { benchHeap(b, files, n) })
			b.Run("clone-heap", func(b *testing.B) { benchCloneHeap(b, dir, n) })
		})
	}
}

// benchVersion makes every one-file change a new one.
var benchVersion int

func benchOneFileBuild(b *testing.B, files []File, prev *Snapshot) {
	defer reportCPU(b)()
	files = append([]File(nil), files...)
	i := len(files) / 2
	orig := files[i].Data
	for range b.N {
		benchVersion++
		files[i] = File{Path: files[i].Path, Data: fmt.Appendf(append([]byte(nil), orig...), "# version %d\n", benchVersion)}
		next, err := Build("c", files, BuildOptions{Paths: []string{"k8s"}, Previous: prev})
		if err != nil {
			b.Fatal(err)
		}
		prev = next
	}
}

// benchCloneHeap reports the live heap of the Source's in-memory clone per
// object (it holds every blob and tree of the commit, uncompressed).
func benchCloneHeap(b *testing.B, dir string, n int) {
	var src *source.Source
	var before, after runtime.MemStats
	for range b.N {
		src = nil
		runtime.GC()
		runtime.ReadMemStats(&before)
		src, _ = source.New(source.Options{URL: dir})
		if _, err := src.Fetch(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "heap-B/object")
	runtime.KeepAlive(src)
}

// reportCPU reports the CPU time per operation when the returned function runs.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

// benchHeap reports the live heap of a snapshot per object (the files it was
// built from are released first) and of the in-memory clone.
func benchHeap(b *testing.B, files []File, n int) {
	var snap *Snapshot
	var before, after runtime.MemStats
	for range b.N {
		snap = nil
		runtime.GC()
		runtime.ReadMemStats(&before)
		var err error
		if snap, err = Build("c", files, BuildOptions{Paths: []string{"k8s"}}); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "heap-B/object")
	runtime.KeepAlive(snap)
}

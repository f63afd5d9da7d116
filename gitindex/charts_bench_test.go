package gitindex

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gitgate-dev/gitgate/gitindex/helm"
)

// benchTemplate is benchDeployment as a chart template: .Values.count
// Deployments per release, each named after the release.
var benchTemplate = "{{- range $i := until (int .Values.count) }}\n---\n" + strings.NewReplacer(
	"app-%[1]d", "{{ $.Release.Name }}-{{ $i }}", "team-%[2]d", "{{ $.Release.Namespace }}",
	"v1.%[3]d.0", "{{ $.Values.tag }}", "25%%", "25%", "replicas: 3", "replicas: {{ $.Values.replicas }}",
).Replace(benchDeployment) + "{{- end }}\n"

const benchRelease = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app-%[1]d, namespace: team-%[2]d}
spec:
  chart:
    spec:
      chart: ./charts/app
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
  values: {count: %[3]d, tag: v1.0.0, replicas: 3}
`

// chartFiles is a commit of releases HelmReleases rendering perRelease
// Deployments each from one chart in git.
func chartFiles(releases, perRelease int) []File {
	files := []File{
		{Path: "charts/app/Chart.yaml", Data: []byte("apiVersion: v2\nname: app\nversion: 0.1.0\n")},
		{Path: "charts/app/values.yaml", Data: []byte("count: 1\ntag: v1.0.0\nreplicas: 1\n")},
		{Path: "charts/app/templates/deployments.yaml", Data: []byte(benchTemplate)},
	}
	for r := range releases {
		files = append(files, File{Path: fmt.Sprintf("k8s/team-%02d/release-%04d.yaml", r%50, r), Data: fmt.Appendf(nil, benchRelease, r, r%50, perRelease)})
	}
	return files
}

// plainFiles is the same number of Deployments as plain manifests.
func plainFiles(n int) []File {
	var files []File
	for f := range n / objectsPerFile {
		files = append(files, File{Path: fmt.Sprintf("k8s/team-%02d/apps-%05d.yaml", f%50, f), Data: []byte(benchFile(f, 0))})
	}
	return files
}

// BenchmarkCharts measures, for 1,000 Deployments, rendering them from charts
// per revision against reading them as plain manifests, measured in the same
// run: a cold build, a commit changing one image tag (one plain file of 10
// Deployments, or one HelmRelease's values: an unchanged HelmRelease of a
// chart in git without valuesFrom is reused, like an unchanged file), and the heap a snapshot holds per object. It reports CPU ms per chart
// rendered and ratios of CPU time and heap to the plain baseline (x-plain):
// CPU time, as other processes share the machine.
func BenchmarkCharts(b *testing.B) {
	const n = 1_000
	for _, perRelease := range []int{10, 50} {
		releases := n / perRelease
		charts, plain := chartFiles(releases, perRelease), plainFiles(n)
		b.Run(fmt.Sprintf("releases=%d/objects=%d/cold-build", releases, n), func(b *testing.B) {
			base := timeBuilds(b, plain, 3)
			start := cpuTime()
			for range b.N {
				buildOrFail(b, charts, nil)
			}
			per := (cpuTime() - start) / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000/float64(releases), "cpu-ms/chart")
			b.ReportMetric(float64(per)/float64(base), "x-plain")
		})
		b.Run(fmt.Sprintf("releases=%d/objects=%d/one-file-build", releases, n), func(b *testing.B) {
			prevPlain, prevCharts := buildOrFail(b, plain, nil), buildOrFail(b, charts, nil)
			change := func(files []File, i int) []File { // a new image tag: 10 Deployments, or one release's
				out := append([]File(nil), files...)
				out[i] = File{Path: out[i].Path, Data: bytes.ReplaceAll(out[i].Data, []byte("v1.0.0"), []byte("v1.0.1"))}
				return out
			}
			t := cpuTime()
			for range 3 {
				buildOrFail(b, change(plain, len(plain)/2), prevPlain)
			}
			base := (cpuTime() - t) / 3
			b.ResetTimer()
			start := cpuTime()
			for range b.N {
				buildOrFail(b, change(charts, len(charts)-1), prevCharts)
			}
			per := (cpuTime() - start) / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "cpu-ms/op")
			b.ReportMetric(float64(per)/float64(base), "x-plain")
		})
		b.Run(fmt.Sprintf("releases=%d/objects=%d/heap", releases, n), func(b *testing.B) {
			plainHeap := heapPerObject(b, plain, n)
			heap := heapPerObject(b, charts, n)
			b.ReportMetric(heap, "heap-B/object")
			b.ReportMetric(plainHeap, "plain-heap-B/object")
			b.ReportMetric(heap/plainHeap, "x-plain")
		})
	}
}

func buildOrFail(b *testing.B, files []File, prev *Snapshot) *Snapshot {
	snap, err := Build("c", files, BuildOptions{Paths: []string{"k8s"}, Previous: prev, Helm: helm.Options{}})
	if err != nil {
		b.Fatal(err)
	}
	return snap
}

// timeBuilds returns the mean CPU time of k cold builds, before the timer runs.
func timeBuilds(b *testing.B, files []File, k int) time.Duration {
	start := cpuTime()
	for range k {
		buildOrFail(b, files, nil)
	}
	d := (cpuTime() - start) / time.Duration(k)
	b.ResetTimer()
	return d
}

// heapPerObject is the live heap of a snapshot of files per object.
func heapPerObject(b *testing.B, files []File, n int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	snap := buildOrFail(b, files, nil)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if snap.Len() < n {
		b.Fatalf("%d objects, want at least %d", snap.Len(), n)
	}
	runtime.KeepAlive(snap)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

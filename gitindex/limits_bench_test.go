package gitindex

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// BenchmarkLimits measures what a revision costs with the default Limits under
// the shipped GOMEMLIMIT (400 MiB), and without either, as before there were
// bounds: the commit of tiny ConfigMaps (one 14 MB file of 260k; four
// of them), rejected, against the same built unbounded; and the largest
// revisions the defaults accept, to hold against the pod's 512 MiB. The files
// are generated in memory; run with -benchtime 1x, one case per process for
// clean peak-mapped figures.
func BenchmarkLimits(b *testing.B) {
	for _, bc := range []struct {
		name   string
		files  func() []File
		limits Limits
	}{
		{"configmaps=260k/files=1/limits=none", func() []File { return cmFiles(1, 260_000) }, Limits{}},
		{"configmaps=260k/files=1/limits=default", func() []File { return cmFiles(1, 260_000) }, DefaultLimits()},
		{"configmaps=260k/files=4/limits=none", func() []File { return cmFiles(4, 260_000) }, Limits{}},
		{"configmaps=260k/files=4/limits=default", func() []File { return cmFiles(4, 260_000) }, DefaultLimits()},
		{"configmaps=50k/files=1/limits=default", func() []File { return cmFiles(1, 50_000) }, DefaultLimits()},
		{"deployments=13k/limits=default", func() []File { return deploymentFiles(13_000) }, DefaultLimits()},
		{"deployments=15k/limits=default", func() []File { return deploymentFiles(15_000) }, DefaultLimits()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.limits != (Limits{}) {
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(400 << 20))
			}
			files := bc.files()
			var snap *Snapshot
			var err error
			for range b.N {
				snap = nil
				debug.FreeOSMemory() // what an earlier case left mapped
				peak := watchHeap()
				start, cpu := time.Now(), cpuTime()
				snap, err = Build("c", files, BuildOptions{Limits: bc.limits})
				elapsed, cpu := time.Since(start), cpuTime()-cpu
				heap, mapped, live := peak()
				b.ReportMetric(elapsed.Seconds(), "s")
				b.ReportMetric(cpu.Seconds(), "cpu-s")
				b.ReportMetric(heap/(1<<20), "peak-heap-MiB")
				b.ReportMetric(mapped/(1<<20), "peak-mapped-MiB")
				b.ReportMetric(live/(1<<20), "peak-live-MiB")
			}
			objects := 0
			if snap != nil {
				objects = snap.Len()
			}
			b.ReportMetric(float64(objects), "objects")
			if err != nil {
				b.Logf("rejected: %.200s", err)
			}
			runtime.KeepAlive(files)
		})
	}
}

// cmFiles is n files of per tiny ConfigMaps each (~14 MB for 260k).
func cmFiles(n, per int) []File {
	files := make([]File, n)
	for i := range files {
		files[i] = File{Path: fmt.Sprintf("k8s/cms-%d.yaml", i), Data: []byte(tinyConfigMaps(per, i*per))}
	}
	return files
}

// deploymentFiles is n Deployments of ~1.7 KB (benchDeployment), ten per file.
func deploymentFiles(n int) []File {
	var files []File
	for f := 0; f*objectsPerFile < n; f++ {
		files = append(files, File{Path: fmt.Sprintf("k8s/app-%05d.yaml", f), Data: []byte(benchFile(f, 0))})
	}
	return files
}

// watchHeap samples the heap every 2 ms until the returned function is called,
// which returns the peaks of the heap (live and not yet swept objects), of the
// memory mapped and not released to the OS (close to the RSS the Go runtime
// holds), and of the heap the last GC found live (what the build needs: the GC
// lets the rest grow up to GOMEMLIMIT).
func watchHeap() func() (heap, mapped, live float64) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"}, {Name: "/gc/heap/live:bytes"}}
	var peakHeap, peakMapped, peakLive uint64
	read := func() {
		metrics.Read(samples)
		peakHeap = max(peakHeap, samples[0].Value.Uint64())
		peakMapped = max(peakMapped, samples[1].Value.Uint64()-samples[2].Value.Uint64())
		peakLive = max(peakLive, samples[3].Value.Uint64())
	}
	stop, done := make(chan struct{}), sync.WaitGroup{}
	done.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	return func() (float64, float64, float64) {
		close(stop)
		done.Wait()
		runtime.GC() // the live heap at the end, the snapshot included
		read()
		return float64(peakHeap), float64(peakMapped), float64(peakLive)
	}
}

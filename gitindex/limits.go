package gitindex

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Names of the bounds, as LimitError.Limit and Status.RejectedLimit give them
// (and metrics label them).
const (
	LimitObjects       = "objects"
	LimitManifestBytes = "manifestBytes"
	LimitIndexMemory   = "indexMemory"
	LimitBuildTime     = "buildTime"
)

// Limits bound what one revision may cost, so that no commit can exhaust the
// process that serves the last good one. Zero means no bound; DefaultLimits
// gives the bounds that fit a 512 MiB pod.
type Limits struct {
	// MaxObjects bounds the objects of a revision (List items and rendered
	// objects count one each); DefaultLimits: 50,000.
	MaxObjects int64
	// MaxManifestBytes bounds the size of the files Build reads (manifests,
	// policies, kustomize inputs), checked from the git tree before any is read;
	// DefaultLimits: 64 MiB.
	MaxManifestBytes int64
	// MaxIndexMemory bounds an estimate of the heap the index takes while it is
	// built, charged before each document is decoded (see docCost); DefaultLimits:
	// 256 MiB.
	MaxIndexMemory int64
}

// DefaultLimits returns the bounds the shipped Deployment (512 MiB, GOMEMLIMIT
// 400 MiB) is sized for.
func DefaultLimits() Limits {
	return Limits{MaxObjects: 50_000, MaxManifestBytes: 64 << 20, MaxIndexMemory: 256 << 20}
}

// Validate refuses negative bounds.
func (l Limits) Validate() error {
	if l.MaxObjects < 0 || l.MaxManifestBytes < 0 || l.MaxIndexMemory < 0 {
		return errors.New("limits must not be negative (0 means no bound)")
	}
	return nil
}

// LimitError says which bound a commit exceeded; the commit is rejected as a
// whole. A *BuildError unwraps to it.
type LimitError struct {
	// Limit is one of LimitObjects, LimitManifestBytes, LimitIndexMemory, LimitBuildTime.
	Limit string
	// Max is the bound (objects, bytes, or nanoseconds for LimitBuildTime).
	Max int64
}

func (e *LimitError) Error() string {
	switch e.Limit {
	case LimitObjects:
		return fmt.Sprintf("the revision has more than %d objects (the bound on objects per revision)", e.Max)
	case LimitManifestBytes:
		return fmt.Sprintf("the files to read exceed %s (the bound on manifest bytes per revision)", mib(e.Max))
	case LimitIndexMemory:
		return fmt.Sprintf("indexing the revision would take more than %s of memory (the bound on index memory)", mib(e.Max))
	case LimitBuildTime:
		return fmt.Sprintf("building the revision took longer than %s (the bound on build time)", time.Duration(e.Max))
	}
	return fmt.Sprintf("the revision exceeds its bound on %s (%d)", e.Limit, e.Max)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// Estimated peak heap of an object while a revision is built: a fixed part
// (the Object, its maps, the index entry and the decoder's temporaries) and a
// part proportional to its YAML, fitted to BenchmarkLimits: tiny ConfigMaps
// (~54 bytes) peak at ~2 KiB of heap each, Deployments of ~1.3 KB at ~22 KiB
// (~14 KiB of it live). 256 MiB then admits ~13,000 such Deployments.
const (
	objectOverhead = 1536
	bytesFactor    = 14
)

// docCost is the estimated heap of decoding and indexing a document of n bytes.
func docCost(n int) int64 { return objectOverhead + bytesFactor*int64(n) }

// budget counts what a Build has taken so far, from several goroutines.
type budget struct {
	limits   Limits
	objects  atomic.Int64
	memory   atomic.Int64
	exceeded atomic.Pointer[LimitError]
}

// charge takes objects and bytes of estimated memory; it returns false, and
// remembers the bound, once one is exceeded.
func (b *budget) charge(objects int, memory int64) bool {
	if b.exceeded.Load() != nil {
		return false
	}
	o, m := b.objects.Add(int64(objects)), b.memory.Add(memory)
	switch {
	case b.limits.MaxObjects > 0 && o > b.limits.MaxObjects:
		b.exceeded.CompareAndSwap(nil, &LimitError{Limit: LimitObjects, Max: b.limits.MaxObjects})
	case b.limits.MaxIndexMemory > 0 && m > b.limits.MaxIndexMemory:
		b.exceeded.CompareAndSwap(nil, &LimitError{Limit: LimitIndexMemory, Max: b.limits.MaxIndexMemory})
	default:
		return true
	}
	return false
}

// over reports whether a bound was exceeded: the Build stops.
func (b *budget) over() bool { return b.exceeded.Load() != nil }

// checkBytes charges the size of every file the Build may read, before any is read.
func (b *budget) checkBytes(t *fileTree) bool {
	if b.limits.MaxManifestBytes <= 0 {
		return true
	}
	var total int64
	for _, f := range t.sorted {
		total += f.Size()
		if total > b.limits.MaxManifestBytes {
			b.exceeded.CompareAndSwap(nil, &LimitError{Limit: LimitManifestBytes, Max: b.limits.MaxManifestBytes})
			return false
		}
	}
	return true
}

package gitindex

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gitgate-dev/gitgate/gitindex/source"
)

// recordingFS notes the state of every path kustomize touches, refuses a
// kustomization that names a remote base, and has the kustomization being built
// ask for origin and transformer annotations (which its bases inherit).
type recordingFS struct {
	filesys.FileSystem
	tree     *fileTree
	root     string // the directory being built, absolute
	deps     map[string]string
	volatile bool            // a directory was listed: any new file could matter
	remote   error           // the first remote reference met
	asked    buildMetadata   // what the kustomization asks for itself: keep those annotations
	ctx      context.Context // every access fails once it ends: the render stops
	budget   *budget         // charged for what kustomize reads, before it parses it
	charged  int64           // kustomize's working memory charged so far
	// overlay, if set, is the path of a kustomization file that reads as
	// overlayData (a Rendering's), whether or not the commit has one there.
	overlay     string
	overlayData []byte
}

var _ filesys.FileSystem = (*recordingFS)(nil)

func (r *recordingFS) note(p string) {
	rel := strings.TrimPrefix(path.Clean(filepath.ToSlash(p)), "/")
	if rel == "." {
		rel = ""
	}
	r.deps[rel] = r.tree.state(rel)
}

// ReadFile implements filesys.FileSystem.
func (r *recordingFS) ReadFile(p string) ([]byte, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	r.note(p)
	data, err := r.readFile(p)
	if err == nil && !source.IsKustomization(p) && !r.chargeRead(data) {
		return nil, r.budget.exceeded.Load()
	}
	if err == nil && source.IsKustomization(p) {
		if rerr := remoteReference(data); rerr != nil {
			if r.remote == nil {
				r.remote = fmt.Errorf("%s: %w", strings.TrimPrefix(p, "/"), rerr)
			}
			return nil, rerr
		}
		if path.Dir(path.Clean(filepath.ToSlash(p))) == r.root {
			data, r.asked = withBuildMetadata(data)
		}
	}
	return data, err
}

// readFile reads p from the commit, or the overlay.
func (r *recordingFS) readFile(p string) ([]byte, error) {
	if r.isOverlay(p) {
		return r.overlayData, nil
	}
	return r.FileSystem.ReadFile(p)
}

// isOverlay reports whether p is the overlay's path.
func (r *recordingFS) isOverlay(p string) bool {
	return r.overlay != "" && path.Clean(filepath.ToSlash(p)) == r.overlay
}

// chargeRead charges the budget for a file kustomize is about to parse, as
// many documents as it holds (each read: a base used twice is parsed twice),
// so that a render which would exhaust memory stops at the read.
func (r *recordingFS) chargeRead(data []byte) bool {
	cost := int64(1+bytes.Count(data, []byte("\n---")))*objectOverhead + bytesFactor*int64(len(data))
	r.charged += cost
	return r.budget.charge(0, cost)
}

// Open implements filesys.FileSystem.
func (r *recordingFS) Open(p string) (filesys.File, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	r.note(p)
	if source.IsKustomization(p) {
		return nil, errors.New("kustomization files are read with ReadFile")
	}
	return r.FileSystem.Open(p)
}

// Exists implements filesys.FileSystem.
func (r *recordingFS) Exists(p string) bool {
	r.note(p)
	return r.ctx.Err() == nil && (r.isOverlay(p) || r.FileSystem.Exists(p))
}

// IsDir implements filesys.FileSystem.
func (r *recordingFS) IsDir(p string) bool {
	r.note(p)
	return r.ctx.Err() == nil && !r.isOverlay(p) && r.FileSystem.IsDir(p)
}

// CleanedAbs implements filesys.FileSystem.
func (r *recordingFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if err := r.ctx.Err(); err != nil {
		return "", "", err
	}
	r.note(p)
	return r.FileSystem.CleanedAbs(p)
}

// ReadDir implements filesys.FileSystem.
func (r *recordingFS) ReadDir(p string) ([]string, error) {
	r.volatile = true
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	return r.FileSystem.ReadDir(p)
}

// Glob implements filesys.FileSystem.
func (r *recordingFS) Glob(pattern string) ([]string, error) {
	r.volatile = true
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	return r.FileSystem.Glob(pattern)
}

// Walk implements filesys.FileSystem.
func (r *recordingFS) Walk(p string, fn filepath.WalkFunc) error {
	r.volatile = true
	if err := r.ctx.Err(); err != nil {
		return err
	}
	return r.FileSystem.Walk(p, fn)
}

// The writing methods are refused: a render only reads the commit.

// Create implements filesys.FileSystem.
func (r *recordingFS) Create(string) (filesys.File, error) { return nil, errReadOnly }

// Mkdir implements filesys.FileSystem.
func (r *recordingFS) Mkdir(string) error { return errReadOnly }

// MkdirAll implements filesys.FileSystem.
func (r *recordingFS) MkdirAll(string) error { return errReadOnly }

// RemoveAll implements filesys.FileSystem.
func (r *recordingFS) RemoveAll(string) error { return errReadOnly }

// WriteFile implements filesys.FileSystem.
func (r *recordingFS) WriteFile(string, []byte) error { return errReadOnly }

var errReadOnly = errors.New("the commit is read-only")

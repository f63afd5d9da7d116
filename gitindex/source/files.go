package source

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// File is one file of a commit, with its path relative to the repository root.
type File struct {
	Path string
	Data []byte
	// Hash is the git blob hash of Data; CommitFiles fills it in from the tree, and
	// gitindex.Build computes it when it is empty. Build reuses the previous snapshot's
	// objects for a file whose hash did not change.
	Hash string

	load     func() ([]byte, error) // reads Data on demand (the Poller's files only)
	blobSize int64                  // the blob's size, known before load
}

// Size is the file's size, known before it is read.
func (f *File) Size() int64 {
	if f.Data != nil || f.load == nil {
		return int64(len(f.Data))
	}
	return f.blobSize
}

// Read returns the file's content, reading it from the repository first if it
// was listed unread (Source.LazyFiles); it must then run while the Source is not
// fetching, which the Source's lock ensures.
func (f *File) Read() ([]byte, error) {
	if f.Data == nil && f.load != nil {
		data, err := f.load()
		if err != nil {
			return nil, err
		}
		f.Data, f.load = data, nil
	}
	return f.Data, nil
}

// maxFileSize bounds one file read from git (a manifest or a policy).
const maxFileSize = 16 << 20

// CommitFiles returns the files of a commit that Build needs: the manifests and
// policies under dirs ("." or none for all), the root .gitgate.yaml and
// .sourceignore, and, when a kustomization lies under dirs, every .yaml, .yml and
// .json file of the commit plus every file below a directory holding a
// kustomization (kustomize may reference ../ bases and generator files). Every
// file below a directory holding a Chart.yaml (a Helm chart a HelmRelease may
// name) is read too, and so is every .yaml file (its valuesFiles). Files the
// root .sourceignore matches, symbolic links and submodules are left out. Each
// File carries its blob hash, which lets Build reuse unchanged files.
func CommitFiles(c *object.Commit, dirs ...string) ([]File, error) {
	return commitFiles(c, dirs, false)
}

// commitFiles lists the files; lazy ones are read only when Build needs them,
// which must then run on the goroutine that owns the repository.
func commitFiles(c *object.Commit, dirs []string, lazy bool) ([]File, error) {
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("tree of %s: %w", c.Hash, err)
	}
	var entries []*object.File
	err = tree.Files().ForEach(func(f *object.File) error {
		if f.Mode != filemode.Symlink && f.Mode != filemode.Submodule {
			entries = append(entries, f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list files of %s: %w", c.Hash, err)
	}
	sel, err := newSelector(entries, dirs)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range entries {
		want, required := sel.wants(f.Name)
		if !want || (!required && f.Size > maxFileSize) {
			continue
		}
		if lazy && f.Name != IgnoreFile {
			out = append(out, File{Path: f.Name, Hash: f.Hash.String(), blobSize: f.Size, load: func() ([]byte, error) { return readBlob(f) }})
			continue
		}
		data, err := readBlob(f)
		if err != nil {
			return nil, err
		}
		out = append(out, File{Path: f.Name, Data: data, Hash: f.Hash.String()})
	}
	return out, nil
}

func readBlob(f *object.File) ([]byte, error) {
	r, err := f.Reader()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name, err)
	}
	defer r.Close()
	if f.Size > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", f.Name, maxFileSize)
	}
	data := make([]byte, f.Size)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name, err)
	}
	return data, nil
}

// selector decides which files of a commit CommitFiles reads.
type selector struct {
	dirs   []string
	ignore *Ignorer
	kdirs  []string // directories holding a kustomization, when one lies under dirs
	cdirs  []string // directories holding a Helm chart (a Chart.yaml)
}

func newSelector(entries []*object.File, dirs []string) (*selector, error) {
	s := &selector{dirs: dirs}
	for _, f := range entries {
		if f.Name == IgnoreFile {
			data, err := readBlob(f)
			if err != nil {
				return nil, err
			}
			s.ignore = parseIgnore(data)
		}
	}
	var kdirs []string
	underDirs := false
	for _, f := range entries {
		if IsKustomization(f.Name) && !s.ignore.Ignored(f.Name) {
			kdirs = append(kdirs, path.Dir(f.Name))
			underDirs = underDirs || s.inDirs(f.Name)
		}
		if path.Base(f.Name) == ChartFile && !s.ignore.Ignored(f.Name) {
			s.cdirs = append(s.cdirs, path.Dir(f.Name))
		}
	}
	if underDirs {
		s.kdirs = kdirs
	}
	return s, nil
}

// wants reports whether to read the file, and whether it is required (a manifest,
// a policy or a setting, refused when too large) or only possibly referenced by a
// kustomization (skipped when too large).
func (s *selector) wants(name string) (want, required bool) {
	if name == ConfigFile || name == IgnoreFile {
		return true, true
	}
	if s.ignore.Ignored(name) {
		return false, false
	}
	ext := strings.ToLower(path.Ext(name))
	data := ext == ".yaml" || ext == ".yml" || ext == ".json"
	if (data || ext == ".rego") && s.inDirs(name) && !UnderAnyDir(name, s.cdirs) {
		return true, true
	}
	if len(s.kdirs) == 0 && len(s.cdirs) == 0 {
		return false, false
	}
	if data {
		return true, false
	}
	if UnderAnyDir(name, s.kdirs) || UnderAnyDir(name, s.cdirs) {
		return true, false
	}
	return false, false
}

// UnderAnyDir reports whether name lies below one of dirs.
func UnderAnyDir(name string, dirs []string) bool {
	for _, d := range dirs {
		if UnderDir(name, d) {
			return true
		}
	}
	return false
}

func (s *selector) inDirs(name string) bool {
	for _, d := range s.dirs {
		if UnderDir(name, d) {
			return true
		}
	}
	return len(s.dirs) == 0
}

// IsKustomization reports whether p names a kustomization file.
func IsKustomization(p string) bool {
	switch path.Base(p) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// UnderDir reports whether the slash-separated path p lies in dir ("." or ""
// for the repository root).
func UnderDir(p, dir string) bool {
	dir = strings.Trim(path.Clean(dir), "/")
	return dir == "." || dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
}

// ChartFile names the file that makes a folder a Helm chart.
const ChartFile = "Chart.yaml"

package helm

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/ignore"
)

// Files is a commit's files, read-only; the only files a chart can see.
type Files interface {
	// ReadFile returns the content of a file, by its path relative to the
	// repository root; an error for a file the commit does not hold.
	ReadFile(name string) ([]byte, error)
	// Under returns the paths of the files below dir, sorted.
	Under(dir string) []string
}

// loadChart loads the chart in dir from files, leaving out what its
// .helmignore matches, as `helm package` and source-controller do. Subcharts
// must be in its charts/ folder (unpacked or as .tgz): nothing is fetched.
func loadChart(files Files, dir string) (*chart.Chart, error) {
	names := files.Under(dir)
	if len(names) == 0 {
		return nil, fmt.Errorf("no chart at %s", dir)
	}
	rules := ignore.Empty()
	if data, err := files.ReadFile(path.Join(dir, ignore.HelmIgnore)); err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("read %s: %w", ignore.HelmIgnore, err)
		}
	}
	rules.AddDefaults()
	var buffered []*loader.BufferedFile
	for _, name := range names {
		rel := strings.TrimPrefix(name, dir+"/")
		if ignored(rules, rel) {
			continue
		}
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		buffered = append(buffered, &loader.BufferedFile{Name: rel, Data: data})
	}
	c, err := loader.LoadFiles(buffered)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w", dir, err)
	}
	if err := checkDependencies(c); err != nil {
		return nil, fmt.Errorf("chart %s: %w", dir, err)
	}
	return c, nil
}

// ignored reports whether the rules leave out rel or a folder holding it.
func ignored(rules *ignore.Rules, rel string) bool {
	parts := strings.Split(rel, "/")
	for i := range parts {
		if rules.Ignore(strings.Join(parts[:i+1], "/"), fileInfo{name: parts[i], dir: i < len(parts)-1}) {
			return true
		}
	}
	return false
}

// checkDependencies refuses a chart whose Chart.yaml names a dependency its
// charts/ folder lacks (helm would fetch it; gitgate never does).
func checkDependencies(c *chart.Chart) error {
	have := map[string]bool{}
	for _, d := range c.Dependencies() {
		have[d.Name()] = true
	}
	var missing []string
	for _, d := range c.Metadata.Dependencies {
		if !have[d.Name] {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("dependencies %s are not in its charts/ folder (vendor them: gitgate fetches nothing)", strings.Join(missing, ", "))
	}
	return nil
}

// fileInfo is the little of fs.FileInfo that .helmignore rules look at.
type fileInfo struct {
	name string
	dir  bool
}

func (f fileInfo) Name() string { return f.name }
func (f fileInfo) Size() int64  { return 0 }
func (f fileInfo) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir
	}
	return 0
}
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return f.dir }
func (f fileInfo) Sys() any           { return nil }

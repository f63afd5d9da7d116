package cluster

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Repo is a real git repository (driven with the git CLI) that gitgate watches.
type Repo struct {
	Dir string
}

// NewRepo copies the fixture folder into dir, makes it a git repository on branch
// main and commits everything.
func NewRepo(fixture, dir string) (*Repo, error) {
	if err := copyTree(fixture, dir); err != nil {
		return nil, fmt.Errorf("copy fixture: %w", err)
	}
	r := &Repo{Dir: dir}
	if _, err := r.Git("init", "-q", "-b", "main"); err != nil {
		return nil, err
	}
	return r, r.Commit("initial manifests")
}

// Git runs git in the repository with a fixed identity.
func (r *Repo) Git(args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=gitgate-test", "-c", "user.email=test@gitgate.dev", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// WriteFile writes a file (relative to the repository root) without committing.
func (r *Repo) WriteFile(rel, content string) error {
	p := filepath.Join(r.Dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(content), 0o644)
}

// Commit stages everything and commits.
func (r *Repo) Commit(msg string) error {
	if _, err := r.Git("add", "-A"); err != nil {
		return err
	}
	_, err := r.Git("commit", "-q", "--allow-empty", "-m", msg)
	return err
}

// Head returns the commit hash of HEAD.
func (r *Repo) Head() (string, error) { return r.Git("rev-parse", "HEAD") }

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

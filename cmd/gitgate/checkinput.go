package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// proposalFile is a file of proposed objects, named as the user named it.
type proposalFile struct {
	name string
	data []byte
}

// readProposals reads the -f arguments (files, folders, - for stdin) and the
// -k kustomization, in the order given.
func readProposals(stdin io.Reader, names []string, kustomization string) ([]proposalFile, error) {
	var out []proposalFile
	for _, name := range names {
		files, err := readArgument(stdin, name)
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	if kustomization != "" {
		data, err := renderKustomization(kustomization)
		if err != nil {
			return nil, err
		}
		out = append(out, proposalFile{name: kustomization + " (kustomize)", data: data})
	}
	return out, nil
}

func readArgument(stdin io.Reader, name string) ([]proposalFile, error) {
	if name == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
		return []proposalFile{{name: "stdin", data: data}}, nil
	}
	st, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("read proposal: %w", err)
	}
	if !st.IsDir() {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read proposal: %w", err)
		}
		return []proposalFile{{name: name, data: data}}, nil
	}
	return readFolder(name)
}

// readFolder reads the .yaml, .yml and .json files under dir, sorted by path,
// as kubectl apply -R would find them.
func readFolder(dir string) ([]proposalFile, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				paths = append(paths, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read proposal folder: %w", err)
	}
	sort.Strings(paths)
	out := make([]proposalFile, 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read proposal: %w", err)
		}
		out = append(out, proposalFile{name: p, data: data})
	}
	return out, nil
}

// renderKustomization builds a kustomization folder on disk, as kubectl apply -k does.
func renderKustomization(dir string) ([]byte, error) {
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	data, err := m.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	return data, nil
}

package certs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File names in a cert directory and keys of the Secret, as controller-runtime's
// webhook server and the kubernetes.io/tls Secret type expect them.
const (
	CertFile   = "tls.crt"
	KeyFile    = "tls.key"
	CACertFile = "ca.crt"
	CAKeyFile  = "ca.key"
)

// dirFile is one file WriteDir manages.
type dirFile struct {
	name string
	data []byte
	perm fs.FileMode
}

// dirFiles lists the files in the order they are written: the key before the
// certificate, so that a reader that sees the new certificate also sees its key.
func dirFiles(b *Bundle) []dirFile {
	return []dirFile{
		{CACertFile, b.CACert, 0o644},
		{KeyFile, b.Key, 0o600},
		{CertFile, b.Cert, 0o644},
	}
}

// WriteDir writes tls.crt, tls.key (mode 0600) and ca.crt into dir, creating
// it if needed. Each file is replaced atomically (a temporary file renamed
// over it), so a reader never sees a partial file. The CA key is never
// written. An inconsistent bundle is refused.
func WriteDir(dir string, b *Bundle) error {
	_, err := syncDir(dir, b, true)
	return err
}

// ReadDir reads a bundle written by WriteDir; ca.key is read too if present.
// It does not check the bundle; see Parse.
func ReadDir(dir string) (*Bundle, error) {
	var b Bundle
	for _, f := range []struct {
		name     string
		dst      *[]byte
		optional bool
	}{
		{CACertFile, &b.CACert, false},
		{CAKeyFile, &b.CAKey, true},
		{CertFile, &b.Cert, false},
		{KeyFile, &b.Key, false},
	} {
		data, err := os.ReadFile(filepath.Join(dir, f.name))
		if f.optional && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read cert dir: %w", err)
		}
		*f.dst = data
	}
	return &b, nil
}

// syncDir writes the files of b into dir; unless force, only those whose
// content differs, so that an unchanged bundle does not make the webhook
// server's certwatcher reload. It reports whether it wrote anything.
func syncDir(dir string, b *Bundle, force bool) (bool, error) {
	if _, err := parse(b); err != nil {
		return false, fmt.Errorf("write cert dir %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("write cert dir: %w", err)
	}
	wrote := false
	for _, f := range dirFiles(b) {
		path := filepath.Join(dir, f.name)
		if !force {
			old, err := os.ReadFile(path)
			if err == nil && bytes.Equal(old, f.data) {
				continue
			}
		}
		if err := writeAtomic(path, f.data, f.perm); err != nil {
			return wrote, fmt.Errorf("write cert dir: %w", err)
		}
		wrote = true
	}
	return wrote, nil
}

// writeAtomic writes data to a temporary file next to path and renames it
// over path.
func writeAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

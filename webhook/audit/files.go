package audit

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Chains groups audit log files into one chain per log, each oldest first
// (FILE.N ... FILE.1 FILE). A path may be a file (with or without its rotation
// suffix) or a folder, searched recursively for files named like a log and its
// rotations; the install keeps each pod's log in /audit/POD/audit.log, so the
// folder /audit (copied from every replica) gives every chain.
func Chains(paths ...string) ([][]string, error) {
	groups := map[string]map[int]string{} // FILE → rotation index → path
	add := func(p string) {
		base, n := splitRotation(p)
		if groups[base] == nil {
			groups[base] = map[int]string{}
		}
		groups[base][n] = p
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("audit log files: %w", err)
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && isLogName(d.Name()) {
				add(q)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("audit log files: %w", err)
		}
	}
	return ordered(groups), nil
}

func ordered(groups map[string]map[int]string) [][]string {
	bases := make([]string, 0, len(groups))
	for b := range groups {
		bases = append(bases, b)
	}
	slices.Sort(bases)
	out := make([][]string, 0, len(bases))
	for _, b := range bases {
		idx := make([]int, 0, len(groups[b]))
		for n := range groups[b] {
			idx = append(idx, n)
		}
		slices.Sort(idx)
		slices.Reverse(idx)
		var chain []string
		for _, n := range idx {
			chain = append(chain, groups[b][n])
		}
		out = append(out, chain)
	}
	return out
}

// splitRotation splits "audit.log.3" into "audit.log" and 3.
func splitRotation(p string) (string, int) {
	if i := strings.LastIndexByte(p, '.'); i > 0 {
		if n, err := strconv.Atoi(p[i+1:]); err == nil && n > 0 {
			return p[:i], n
		}
	}
	return p, 0
}

func isLogName(name string) bool {
	base, _ := splitRotation(name)
	return strings.HasSuffix(base, ".log")
}

// ParsePublicKey reads an Ed25519 public key: the 32 raw bytes (the keys Secret's
// signing.pub), their base64, or a PEM "PUBLIC KEY" block.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	if len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	if blk, _ := pem.Decode(b); blk != nil {
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if pk, ok := k.(ed25519.PublicKey); err == nil && ok {
			return pk, nil
		}
		return nil, errors.New("audit public key: PEM block is not an Ed25519 public key")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err == nil && len(raw) == ed25519.PublicKeySize {
		return ed25519.PublicKey(raw), nil
	}
	return nil, errors.New("audit public key: want 32 raw bytes, their base64, or a PEM PUBLIC KEY")
}

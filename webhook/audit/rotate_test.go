package audit

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// backups lists path.N ... path.1, path: the order Verify wants.
func backups(path string, n int) []string {
	var paths []string
	for i := n; i >= 1; i-- {
		paths = append(paths, path+"."+strconv.Itoa(i))
	}
	return append(paths, path)
}

// chainFiles lists the files of the log at path that exist, oldest first.
func chainFiles(t *testing.T, path string) []string {
	t.Helper()
	var paths []string
	for _, p := range backups(path, 100) {
		if _, err := os.Stat(p); err == nil {
			paths = append(paths, p)
		}
	}
	return paths
}

func TestRotation(t *testing.T) {
	path := tempLog(t)
	opts := Options{Path: path, MaxSize: 1500, MaxBackups: 20}
	writeLog(t, opts, 0, 30)

	files := 0
	for _, p := range backups(path, 20) {
		st, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		files++
		if st.Size() > opts.MaxSize {
			t.Errorf("%s is %d bytes, over MaxSize %d", p, st.Size(), opts.MaxSize)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s mode = %v, want 0600", p, perm)
		}
	}
	if files < 4 {
		t.Fatalf("%d files after rotation, want several", files)
	}

	report, err := Verify(backups(path, files-1)...)
	if err != nil {
		t.Fatalf("Verify all files: %v", err)
	}
	if report.Files != files || report.Records != 30 || report.First != 1 || report.Last != 30 ||
		!isGenesis(report.Anchor) {
		t.Errorf("Verify all files = %+v", report)
	}

	// The newest file alone: its first prev is the trust anchor.
	newest, err := Verify(path)
	if err != nil {
		t.Fatalf("Verify newest file: %v", err)
	}
	older := readLines(t, path+".1")
	if newest.First <= 1 || newest.Last != 30 || newest.Anchor != hashOf(t, older[len(older)-1]) ||
		newest.LastHash != report.LastHash {
		t.Errorf("Verify newest file = %+v, want it anchored on the last hash of %s.1", newest, path)
	}
}

func TestRotationBreaks(t *testing.T) {
	path := tempLog(t)
	writeLog(t, Options{Path: path, MaxSize: 1500, MaxBackups: 3}, 0, 30)
	if _, err := os.Stat(path + ".4"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s.4 exists beyond MaxBackups 3 (err %v)", path, err)
	}
	if r, err := Verify(backups(path, 3)...); err != nil || r.First <= 1 || r.Last != 30 {
		t.Errorf("Verify kept files = %+v, %v; want a chain anchored after seq 1", r, err)
	}

	tests := []struct {
		name   string
		paths  []string
		reason string
		file   string
	}{
		{"middle file missing", []string{path + ".3", path + ".1", path}, "line(s) deleted", path + ".1"},
		{"out of order", []string{path + ".2", path + ".3", path + ".1", path}, "files out of order", path + ".3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(tc.paths...)
			var ce *ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("Verify error = %v, want *ChainError", err)
			}
			if ce.File != tc.file || ce.Line != 1 || !strings.Contains(ce.Reason, tc.reason) {
				t.Errorf("ChainError = %v, want %s:1 mentioning %q", ce, tc.file, tc.reason)
			}
		})
	}
}

// TestLineLargerThanMaxSize: a line is never split or lost; it gets a file of its own.
func TestLineLargerThanMaxSize(t *testing.T) {
	path := tempLog(t)
	writeLog(t, Options{Path: path, MaxSize: 10, MaxBackups: 5}, 0, 4)
	report, err := Verify(chainFiles(t, path)...)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := &VerifyReport{Files: 4, Records: 4, First: 1, Last: 4, Anchor: report.Anchor, LastHash: report.LastHash}
	if diff := cmp.Diff(want, report); diff != "" {
		t.Errorf("report mismatch (-want +got):\n%s", diff)
	}
}

func TestRestartContinuesChain(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		crash func(t *testing.T, path string) // between the two runs
		files int
	}{
		{name: "same file", files: 1},
		{name: "after rotation", opts: Options{MaxSize: 1500, MaxBackups: 20}, files: 4},
		{name: "crash between rename and first write", files: 2,
			crash: func(t *testing.T, p string) {
				if err := os.Rename(p, p+".1"); err != nil {
					t.Fatal(err)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Path = tempLog(t)
			writeLog(t, opts, 0, 5)
			if tc.crash != nil {
				tc.crash(t, opts.Path)
			}
			writeLog(t, opts, 5, 8)
			report, err := Verify(chainFiles(t, opts.Path)...)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if report.First != 1 || report.Last != 8 || report.Records != 8 || report.Files != tc.files {
				t.Errorf("report = %+v, want seq 1..8", report)
			}
		})
	}
}

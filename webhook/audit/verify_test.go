package audit

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// forge returns a line that is valid on its own: right JSON, right hash.
func forge(t *testing.T, seq uint64, prev string) []byte {
	t.Helper()
	r := testRecord(99)
	r.Seq, r.Prev = seq, prev
	line, err := encodeLine(&r)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

func hashOf(t *testing.T, line []byte) string {
	t.Helper()
	l, err := parseLine(bytes.TrimSuffix(line, []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	return l.Hash
}

func TestVerifyTampering(t *testing.T) {
	const n = 6
	tests := []struct {
		name   string
		tamper func(t *testing.T, lines [][]byte) [][]byte // lines[i] is seq i+1
		want   *ChainError                                 // Line 1-based; File filled in
		first  uint64                                      // when want is nil
	}{
		{name: "intact", first: 1, tamper: func(t *testing.T, l [][]byte) [][]byte { return l }},
		{name: "edit one byte", want: &ChainError{Line: 3, Seq: 3, Reason: "hash mismatch (line edited)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte {
				l[2] = bytes.Replace(l[2], []byte(`"obj-2"`), []byte(`"obj-X"`), 1)
				return l
			}},
		{name: "edit seq", want: &ChainError{Line: 4, Seq: 9, Reason: "hash mismatch (line edited)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte {
				l[3] = bytes.Replace(l[3], []byte(`"seq":4`), []byte(`"seq":9`), 1)
				return l
			}},
		{name: "edit and rehash", want: &ChainError{Line: 4, Seq: 4, Reason: "prev does not match the hash of seq 3 (that line edited, or this one replaced)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte {
				l[2] = forge(t, 3, hashOf(t, l[1]))
				return l
			}},
		{name: "delete line", want: &ChainError{Line: 3, Seq: 4, Reason: "seq gap: want 3, got 4 (1 line(s) deleted)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Delete(l, 2, 3) }},
		{name: "delete two lines", want: &ChainError{Line: 2, Seq: 4, Reason: "seq gap: want 2, got 4 (2 line(s) deleted)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Delete(l, 1, 3) }},
		{name: "delete first line", first: 2,
			tamper: func(t *testing.T, l [][]byte) [][]byte { return l[1:] }},
		{name: "swap adjacent", want: &ChainError{Line: 3, Seq: 4, Reason: "seq 4 before seq 3 (lines reordered)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[2], l[3] = l[3], l[2]; return l }},
		{name: "swap distant", want: &ChainError{Line: 2, Seq: 5, Reason: "seq 5 before seq 2 (lines reordered)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[1], l[4] = l[4], l[1]; return l }},
		{name: "duplicate line", want: &ChainError{Line: 5, Seq: 2, Reason: "seq 2 after seq 4 (line inserted or duplicated)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Insert(l, 4, l[1]) }},
		{name: "insert forged line", want: &ChainError{Line: 5, Seq: 4, Reason: "seq 4 after seq 4 (line inserted or duplicated)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Insert(l, 3, forge(t, 4, hashOf(t, l[2]))) }},
		{name: "insert empty line", want: &ChainError{Line: 3, Reason: "invalid JSON (line truncated or corrupted)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Insert(l, 2, []byte("\n")) }},
		{name: "truncate last line", want: &ChainError{Line: 6, Reason: "truncated last line (missing newline)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[5] = l[5][:len(l[5])/2]; return l }},
		{name: "drop final newline", want: &ChainError{Line: 6, Reason: "truncated last line (missing newline)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[5] = l[5][:len(l[5])-1]; return l }},
		{name: "cut middle line", want: &ChainError{Line: 3, Reason: "invalid JSON (line truncated or corrupted)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[2] = append(l[2][:40:40], '\n'); return l }},
		{name: "restart chain", want: &ChainError{Line: 7, Seq: 1, Reason: "genesis prev at seq 1 after seq 6 (chain restarted)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte {
				return append(l, forge(t, 1, "genesis:ffeeddccbbaa99887766554433221100"))
			}},
		{name: "genesis replaced", want: &ChainError{Line: 1, Seq: 1, Reason: "seq 1 without a genesis prev (chain start replaced)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[0] = forge(t, 1, hashOf(t, l[5])); return l }},
		{name: "genesis mid chain", want: &ChainError{Line: 1, Seq: 3, Reason: "genesis prev at seq 3 (chain restarted)"},
			tamper: func(t *testing.T, l [][]byte) [][]byte {
				return append([][]byte{forge(t, 3, "genesis:ffeeddccbbaa99887766554433221100")}, l[3:]...)
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tempLog(t)
			writeLog(t, Options{Path: path}, 0, n)
			lines := readLines(t, path)
			if len(lines) != n {
				t.Fatalf("wrote %d lines, want %d", len(lines), n)
			}
			writeLines(t, path, tc.tamper(t, lines))

			report, err := Verify(path)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				want := &VerifyReport{Files: 1, Records: n - tc.first + 1, First: tc.first, Last: n}
				opt := cmpopts.IgnoreFields(VerifyReport{}, "Anchor", "LastHash")
				if diff := cmp.Diff(want, report, opt); diff != "" {
					t.Errorf("report mismatch (-want +got):\n%s", diff)
				}
				return
			}
			var got *ChainError
			if !errors.As(err, &got) {
				t.Fatalf("Verify error = %v, want *ChainError", err)
			}
			tc.want.File = path
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ChainError mismatch (-want +got):\n%s", diff)
			}
			if report == nil || report.Records != uint64(tc.want.Line-1) {
				t.Errorf("report = %+v, want the %d lines before the break", report, tc.want.Line-1)
			}
		})
	}
}

func TestVerifyErrors(t *testing.T) {
	if _, err := Verify(); err == nil {
		t.Error("Verify() with no files: no error")
	}
	missing := tempLog(t)
	_, err := Verify(missing)
	var ce *ChainError
	if err == nil || errors.As(err, &ce) {
		t.Errorf("Verify(missing) error = %v, want a plain file error", err)
	}
}

func TestChainErrorMessage(t *testing.T) {
	err := &ChainError{File: "audit.log", Line: 17, Seq: 17, Reason: "hash mismatch (line edited)"}
	if got, want := err.Error(), "audit.log:17: chain broken: hash mismatch (line edited)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

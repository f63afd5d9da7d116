package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// VerifyReport summarizes a verified chain (or, returned with a *ChainError, the part
// verified before the break).
type VerifyReport struct {
	// Files is the number of files read, Records the number of lines verified.
	Files   int
	Records uint64
	// First and Last are the seq of the first and last line verified. First > 1
	// means the chain's start was not given (rotated away, or only FILE was
	// verified): Anchor was then trusted, not checked.
	First, Last uint64
	// Anchor is the prev of the first line: "genesis:<hex>" for a chain verified
	// from its start, otherwise the hash of the line before First.
	Anchor string
	// LastHash is the hash of the last line. Keep it (with Last) outside the log to
	// detect a later rewrite or truncation of the tail.
	LastHash string
}

// ChainError is where and why a chain is broken. Line is 1-based within File; Seq is
// the seq the broken line claims (0 when it cannot be read).
type ChainError struct {
	File   string
	Line   int
	Seq    uint64
	Reason string
}

// Error is "FILE:LINE: chain broken: REASON", e.g.
// "audit.log:17: chain broken: hash mismatch (line edited)".
func (e *ChainError) Error() string {
	return fmt.Sprintf("%s:%d: chain broken: %s", e.File, e.Line, e.Reason)
}

// Verify checks the chain across paths, given oldest first (FILE.3 FILE.2 FILE.1
// FILE): every line must be whole, valid JSON, match its own hash, and link to the
// line before by seq and prev, across file boundaries. The first line given is the
// trust anchor (see VerifyReport.Anchor); a genesis prev anywhere else is a break.
//
// A broken chain returns a *ChainError for the first break, together with the report
// of what was verified before it. Other errors (a missing file) return no report.
func Verify(paths ...string) (*VerifyReport, error) {
	if len(paths) == 0 {
		return nil, errors.New("verify audit log: no files given")
	}
	v := &verifier{}
	for i, p := range paths {
		if err := v.file(p, i); err != nil {
			var ce *ChainError
			if errors.As(err, &ce) {
				return &v.report, err
			}
			return nil, err
		}
	}
	return &v.report, nil
}

type verifier struct {
	report VerifyReport
}

// file verifies the lines of one file; index is its position in the paths given.
func (v *verifier) file(path string, index int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("verify audit log: %w", err)
	}
	defer f.Close()
	v.report.Files++
	r := bufio.NewReaderSize(f, 64<<10)
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return nil
			}
			return &ChainError{File: path, Line: lineNo, Reason: errTruncated.Error()}
		}
		if err != nil {
			return fmt.Errorf("verify audit log %s: %w", path, err)
		}
		l, reason := v.check(line[:len(line)-1], r, lineNo == 1 && index > 0)
		if reason != "" {
			return &ChainError{File: path, Line: lineNo, Seq: l.Seq, Reason: reason}
		}
	}
}

// check verifies one line (without its newline) and, if it holds, adds it to the
// report. rest is the remainder of the file, read only to explain a break;
// fileStart is set for the first line of every file but the first.
func (v *verifier) check(line []byte, rest *bufio.Reader, fileStart bool) (link, string) {
	l, err := parseLine(line)
	if err != nil {
		return l, err.Error()
	}
	if v.report.Records == 0 {
		if reason := anchorReason(l); reason != "" {
			return l, reason
		}
		v.report.First, v.report.Anchor = l.Seq, l.Prev
	} else if reason := v.linkReason(l, rest, fileStart); reason != "" {
		return l, reason
	}
	v.report.Records++
	v.report.Last, v.report.LastHash = l.Seq, l.Hash
	return l, ""
}

// anchorReason says why the first line given cannot start a chain, or "".
func anchorReason(l link) string {
	switch {
	case l.Seq == 0:
		return "seq 0 (line corrupted)"
	case l.Seq == 1 && !isGenesis(l.Prev):
		return "seq 1 without a genesis prev (chain start replaced)"
	case l.Seq != 1 && isGenesis(l.Prev):
		return fmt.Sprintf("genesis prev at seq %d (chain restarted)", l.Seq)
	}
	return ""
}

// linkReason says why l does not follow the last verified line, or "".
func (v *verifier) linkReason(l link, rest *bufio.Reader, fileStart bool) string {
	want := v.report.Last + 1
	switch {
	case isGenesis(l.Prev):
		return fmt.Sprintf("genesis prev at seq %d after seq %d (chain restarted)", l.Seq, v.report.Last)
	case l.Seq == want && l.Prev == v.report.LastHash:
		return ""
	case l.Seq == want:
		return fmt.Sprintf("prev does not match the hash of seq %d (that line edited, or this one replaced)", v.report.Last)
	case l.Seq > want && seqFollows(rest, want):
		return fmt.Sprintf("seq %d before seq %d (lines reordered)", l.Seq, want)
	case l.Seq > want:
		return fmt.Sprintf("seq gap: want %d, got %d (%d line(s) deleted)", want, l.Seq, l.Seq-want)
	case fileStart:
		return fmt.Sprintf("seq %d after seq %d at the start of a file (files out of order? give the oldest first)", l.Seq, v.report.Last)
	default:
		return fmt.Sprintf("seq %d after seq %d (line inserted or duplicated)", l.Seq, v.report.Last)
	}
}

// seqFollows reports whether a later line of rest claims seq, which tells a
// reordered line from a deleted one. Unreadable lines are skipped: this only
// explains a break already found.
func seqFollows(rest *bufio.Reader, seq uint64) bool {
	for {
		line, err := rest.ReadBytes('\n')
		var l link
		if json.Unmarshal(line, &l) == nil && l.Seq == seq {
			return true
		}
		if err != nil {
			return false
		}
	}
}

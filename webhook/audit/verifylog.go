package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// VerifyLog checks the files of one log (oldest first: FILE.N ... FILE.1 FILE) and
// reports everything wrong with it, not only the first break: each edited,
// missing, reordered, duplicated or inserted line, rewrites caught by signed
// checkpoints, and lines cut from the end that a restored or anchored checkpoint
// proves were written. It keeps going after each finding, resynchronising on the
// next readable line. An unreadable file is an error.
func VerifyLog(opts VerifyOptions, paths ...string) (*LogReport, error) {
	if len(paths) == 0 {
		return nil, errors.New("verify audit log: no files given")
	}
	v := &logVerifier{opts: opts, rep: &LogReport{Files: paths}, hashes: map[uint64]string{}, awaited: map[uint64]bool{}}
	for _, p := range paths {
		if err := v.file(p); err != nil {
			return nil, err
		}
	}
	v.finish()
	return v.rep, nil
}

type position struct {
	file string
	line int
}

type logVerifier struct {
	opts     VerifyOptions
	rep      *LogReport
	hashes   map[uint64]string // seq → hash of every line read
	last     uint64
	lastHash string
	started  bool
	at       position
	corrupt  []position      // unreadable lines since the last readable one
	awaited  map[uint64]bool // seqs skipped by a line that came too early
	lastCP   uint64          // seq of the last checkpoint claim that held
}

// file verifies the lines of one file. It reads the file whole (at most
// --audit-max-size), so that a line out of place can be told from a deleted one.
func (v *logVerifier) file(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("verify audit log: %w", err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		v.at = position{path, i + 1}
		v.line(bytes.TrimSuffix(line, []byte("\n")), lines[i+1:])
	}
	return nil
}

func (v *logVerifier) add(kind string, from, to uint64, detail string) {
	v.rep.Findings = append(v.rep.Findings, Finding{Kind: kind, From: from, To: to, File: v.at.file, Line: v.at.line, Detail: detail})
}

// line checks one line without its newline; rest is the rest of its file, read
// only to tell a reordered line from a missing one.
func (v *logVerifier) line(b []byte, rest [][]byte) {
	l, err := parseLine(b)
	switch {
	case errors.Is(err, errHashMismatch):
		v.add(FindingEdited, l.Seq, l.Seq, err.Error())
	case err != nil:
		v.corrupt = append(v.corrupt, v.at)
		return
	}
	if !v.started {
		v.start(l)
	} else if !v.follows(l, rest) {
		return
	}
	v.hashes[l.Seq] = l.Hash
	v.last, v.lastHash = l.Seq, l.Hash
	v.rep.Records++
	v.rep.Last = max(v.rep.Last, l.Seq)
	if l.Checkpoint != nil {
		v.checkpoint(l)
	}
}

func (v *logVerifier) start(l link) {
	v.started, v.rep.First = true, l.Seq
	if len(v.corrupt) > 0 && l.Seq > 1 {
		v.add(FindingEdited, l.Seq-uint64(min(len(v.corrupt), int(l.Seq-1))), l.Seq-1, "unreadable line(s) before the first readable one")
	}
	v.corrupt = nil
	if l.Seq == 1 && !isGenesis(l.Prev) {
		v.add(FindingEdited, 1, 1, "seq 1 without a genesis prev (chain start replaced)")
	}
}

// follows checks l against the line before it and reports what does not hold. It
// returns false when l must not become the chain's new head (it belongs earlier).
func (v *logVerifier) follows(l link, rest [][]byte) bool {
	want := v.last + 1
	switch {
	case len(v.corrupt) > 0:
		n := uint64(len(v.corrupt))
		if l.Seq > want && l.Seq-want == n {
			v.add(FindingEdited, want, l.Seq-1, "unreadable (corrupted or edited by hand)")
		} else {
			v.add(FindingEdited, want, max(want, l.Seq-1), fmt.Sprintf("%d unreadable line(s), then seq %d", n, l.Seq))
		}
		v.corrupt = nil
		if isGenesis(l.Prev) {
			v.add(FindingRestarted, l.Seq, l.Seq, "a new chain starts after the unreadable line(s)")
		}
	case isGenesis(l.Prev):
		v.add(FindingRestarted, l.Seq, l.Seq, fmt.Sprintf("a new chain starts after seq %d", v.last))
	case l.Seq == want && l.Prev != v.lastHash:
		v.add(FindingEdited, v.last, v.last, "its hash does not match the next line's prev (edited and rehashed, or replaced)")
	case l.Seq > want:
		v.gap(l, want, rest)
	case l.Seq < want:
		return v.early(l)
	}
	return true
}

// gap explains lines want..l.Seq-1 that are not where they should be.
func (v *logVerifier) gap(l link, want uint64, rest [][]byte) {
	if c := l.Checkpoint; c != nil && c.Restored && v.restoredJump(l) {
		v.add(FindingCut, want, l.Seq-1, fmt.Sprintf("lost while gitgate was down; the checkpoint of seq %d restored at the restart proves lines up to seq %d", c.Seq, l.Seq-1))
		return
	}
	if seqLater(rest, want) {
		for s := want; s < l.Seq; s++ {
			v.awaited[s] = true
		}
		return
	}
	v.add(FindingMissing, want, l.Seq-1, "deleted")
}

// restoredJump reports whether restored checkpoint line l continues the chain
// right after the checkpoint it copies (or that checkpoint's own line).
func (v *logVerifier) restoredJump(l link) bool {
	c := l.Checkpoint
	return (l.Seq-1 == c.Seq && l.Prev == c.Head) || (c.LineHash != "" && l.Seq-1 == c.Seq+1 && l.Prev == c.LineHash)
}

// early handles a line whose seq was already passed.
func (v *logVerifier) early(l link) bool {
	switch {
	case v.awaited[l.Seq]:
		delete(v.awaited, l.Seq)
		v.add(FindingReordered, l.Seq, l.Seq, fmt.Sprintf("after seq %d", v.last))
		v.hashes[l.Seq] = l.Hash
		v.rep.Records++
	case v.hashes[l.Seq] == l.Hash:
		v.add(FindingDuplicated, l.Seq, l.Seq, fmt.Sprintf("after seq %d", v.last))
	default:
		v.add(FindingInserted, l.Seq, l.Seq, fmt.Sprintf("after seq %d", v.last))
	}
	return false
}

// seqLater reports whether one of rest claims seq. Unreadable lines are skipped.
func seqLater(rest [][]byte, seq uint64) bool {
	for _, line := range rest {
		var l link
		if json.Unmarshal(line, &l) == nil && l.Seq == seq {
			return true
		}
	}
	return false
}

package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// memAnchor is an in-memory Anchor.
type memAnchor struct {
	mu sync.Mutex
	m  map[string]Checkpoint
}

func (a *memAnchor) Load(_ context.Context, id string) (*Checkpoint, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.m[id]; ok {
		return &c, nil
	}
	return nil, nil
}

func (a *memAnchor) Store(_ context.Context, c Checkpoint) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]Checkpoint{}
	}
	a.m[c.Log] = c
	return nil
}

func testKey(t *testing.T, seed byte) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// signedOpts is a signed, anchored log writing a checkpoint every 4 records.
func signedOpts(t *testing.T, anchor Anchor) Options {
	return Options{Path: tempLog(t), SigningKey: testKey(t, 1), LogID: "pod-a", CheckpointEvery: 4, Anchor: anchor}
}

func pub(t *testing.T) ed25519.PublicKey { return testKey(t, 1).Public().(ed25519.PublicKey) }

// kinds lists findings as "KIND FROM..TO".
func kinds(r *LogReport) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %d..%d", f.Kind, f.From, f.To))
	}
	return out
}

func TestSignedLogVerifies(t *testing.T) {
	a := &memAnchor{}
	opts := signedOpts(t, a)
	writeLog(t, opts, 0, 10) // records 1-4, cp 5, records 6-9, cp 10, records 11-12, final cp 13
	anchored, _ := a.Load(t.Context(), "pod-a")
	rep, err := VerifyLog(VerifyOptions{PublicKey: pub(t), Anchor: anchored}, opts.Path)
	if err != nil {
		t.Fatal(err)
	}
	want := &LogReport{Log: "pod-a", Files: []string{opts.Path}, Records: 13, First: 1, Last: 13, Checkpoints: 3, Signed: 12, Anchored: 12}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("VerifyLog mismatch (-want +got):\n%s", diff)
	}
}

func TestVerifyLogFindings(t *testing.T) {
	edit := func(lines [][]byte, i int) { lines[i] = bytes.Replace(lines[i], []byte("alice"), []byte("mallo"), 1) }
	tests := []struct {
		name   string
		tamper func(t *testing.T, lines [][]byte) [][]byte
		key    bool
		want   []string
	}{
		{name: "edited line", key: true, want: []string{"edited 3..3"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { edit(l, 2); return l }},
		{name: "deleted line", key: true, want: []string{"missing 7..7"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { return append(l[:6:6], l[7:]...) }},
		{name: "reordered", key: true, want: []string{"reordered 7..7"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[6], l[7] = l[7], l[6]; return l }},
		{name: "duplicated", key: true, want: []string{"duplicated 2..2"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { return append(l[:3:3], append([][]byte{l[1]}, l[3:]...)...) }},
		{name: "truncated last line", key: true, want: []string{"edited 13..13"},
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[12] = l[12][:40]; return l }},
		{name: "rewritten with recomputed hashes", key: false, want: []string{"rewritten 5..9", "rewritten 10..12"},
			tamper: rehashFrom(5, edit, nil)},
		{name: "rewritten, checkpoints forged: caught by the key", key: true, want: []string{"bad-signature 10..10", "bad-signature 13..13"},
			tamper: rehashFrom(5, edit, testKey(t, 2))},
		{name: "rewritten, checkpoints forged: unseen without the key", key: false, want: nil,
			tamper: rehashFrom(5, edit, testKey(t, 2))},
		{name: "forged checkpoint", key: true, want: []string{"bad-signature 13..13"},
			tamper: func(t *testing.T, l [][]byte) [][]byte {
				return append(l[:12:12], forgeCheckpoint(t, l[11], testKey(t, 2)))
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := signedOpts(t, nil)
			writeLog(t, opts, 0, 10)
			writeLines(t, opts.Path, tc.tamper(t, readLines(t, opts.Path)))
			vo := VerifyOptions{}
			if tc.key {
				vo.PublicKey = pub(t)
			}
			rep, err := VerifyLog(vo, opts.Path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, kinds(rep)); diff != "" {
				t.Errorf("findings mismatch (-want +got):\n%s\n%v", diff, rep.Findings)
			}
		})
	}
}

// rehashFrom edits line i (0-based) and recomputes every hash from there, as
// someone who can write the file but lacks the key would; with forger, checkpoint
// lines are replaced by ones signed with it.
func rehashFrom(i int, edit func([][]byte, int), forger ed25519.PrivateKey) func(*testing.T, [][]byte) [][]byte {
	return func(t *testing.T, lines [][]byte) [][]byte {
		edit(lines, i)
		prev := hashOf(t, lines[i-1])
		for j := i; j < len(lines); j++ {
			if forger != nil && bytes.Contains(lines[j], []byte(`"checkpoint":{`)) {
				lines[j] = forgeCheckpoint(t, lines[j-1], forger)
			} else {
				lines[j] = rehash(t, lines[j], prev)
			}
			prev = hashOf(t, lines[j])
		}
		return lines
	}
}

func rehash(t *testing.T, line []byte, prev string) []byte {
	t.Helper()
	head := bytes.TrimSuffix(line, []byte("\n"))
	head = head[:len(head)-hashTail]
	l, err := parseLine(bytes.TrimSuffix(line, []byte("\n")))
	if err != nil && l.Seq == 0 {
		t.Fatal(err)
	}
	head = bytes.Replace(head, []byte(`"prev":"`+l.Prev+`"`), []byte(`"prev":"`+prev+`"`), 1)
	h := chainHash(prev, head)
	return append(append(append([]byte(nil), head...), h...), '"', '}', '\n')
}

// forgeCheckpoint returns a checkpoint line after last, signed with key.
func forgeCheckpoint(t *testing.T, last []byte, key ed25519.PrivateKey) []byte {
	t.Helper()
	l, err := parseLine(bytes.TrimSuffix(last, []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	c := Checkpoint{Log: "pod-a", Seq: l.Seq, Head: l.Hash}
	c.sign(key)
	r := Record{Operation: OperationCheckpoint, Checkpoint: &c, Seq: l.Seq + 1, Prev: l.Hash}
	line, err := encodeLine(&r)
	if err != nil {
		t.Fatal(err)
	}
	return line
}

// TestCutWhileDownIsProven: the newest lines are cut while gitgate is down; the
// restarted Log writes the anchored checkpoint first, so the public key alone
// proves the cut, and the anchor proves it again.
func TestCutWhileDownIsProven(t *testing.T) {
	a := &memAnchor{}
	opts := signedOpts(t, a)
	opts.CheckpointEvery = 1000
	writeLog(t, opts, 0, 6) // records 1-6, final checkpoint 7 (anchored: seq 6 + its line 7)
	lines := readLines(t, opts.Path)
	writeLines(t, opts.Path, lines[:len(lines)-3]) // cut 5, 6, 7
	writeLog(t, opts, 6, 8)                        // restored checkpoint 8, records 9-10, final checkpoint 11
	for _, vo := range []VerifyOptions{{PublicKey: pub(t)}, {PublicKey: pub(t), Anchor: anchorOf(t, a)}} {
		rep, err := VerifyLog(vo, opts.Path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"cut 5..7"}, kinds(rep)); diff != "" {
			t.Errorf("anchor %v: findings mismatch (-want +got):\n%s\n%v", vo.Anchor != nil, diff, rep.Findings)
		}
	}
}

// TestCutTailFoundByAnchor: without a restart only the anchor proves a cut tail.
func TestCutTailFoundByAnchor(t *testing.T) {
	a := &memAnchor{}
	opts := signedOpts(t, a)
	writeLog(t, opts, 0, 6) // 1-4, cp 5, 6-7, final cp 8
	lines := readLines(t, opts.Path)
	writeLines(t, opts.Path, lines[:len(lines)-3])
	rep, err := VerifyLog(VerifyOptions{PublicKey: pub(t), Anchor: anchorOf(t, a)}, opts.Path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"cut 6..8"}, kinds(rep)); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
	if rep, _ := VerifyLog(VerifyOptions{PublicKey: pub(t)}, opts.Path); !rep.Intact() {
		t.Errorf("without the anchor: %v, want intact (a cut tail is then invisible)", rep.Findings)
	}
}

func anchorOf(t *testing.T, a *memAnchor) *Checkpoint {
	c, err := a.Load(t.Context(), "pod-a")
	if err != nil || c == nil {
		t.Fatalf("anchor: %v, %v", c, err)
	}
	return c
}

// TestRotatedSignedLogVerifies: size rotation keeps the chain, and its signed
// checkpoints, verifiable across files; deleting a middle file is reported.
func TestRotatedSignedLogVerifies(t *testing.T) {
	opts := signedOpts(t, nil)
	opts.MaxSize, opts.MaxBackups = 2000, 50
	writeLog(t, opts, 0, 30) // 30 records + 8 checkpoints
	chains, err := Chains(filepath.Dir(opts.Path))
	if err != nil || len(chains) != 1 || len(chains[0]) < 5 {
		t.Fatalf("Chains = %v, %v; want one chain of several files", chains, err)
	}
	rep, err := VerifyLog(VerifyOptions{PublicKey: pub(t)}, chains[0]...)
	if err != nil || !rep.Intact() || rep.Records != 38 || rep.First != 1 {
		t.Fatalf("VerifyLog = %+v, %v; want 38 intact lines from seq 1", rep, err)
	}
	files := append(append([]string(nil), chains[0][:2]...), chains[0][3:]...) // one file lost
	rep, err = VerifyLog(VerifyOptions{PublicKey: pub(t)}, files...)
	if err != nil || len(rep.Findings) != 1 || rep.Findings[0].Kind != FindingMissing {
		t.Errorf("without %s: %v, %v; want one missing range", chains[0][2], rep.Findings, err)
	}
}

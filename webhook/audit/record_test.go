package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEncodeLineContract pins the documented line format: the line is the JSON of
// the record with its hash, and the hash is sha256(prev "\n" JSON-with-empty-hash).
func TestMaskSecretKeepsInput(t *testing.T) {
	items := []DriftItem{{Path: "data", Git: "a", Old: "b", New: "c"}}
	MaskSecret(items)
	if diff := cmp.Diff([]DriftItem{{Path: "data", Git: "a", Old: "b", New: "c"}}, items); diff != "" {
		t.Errorf("MaskSecret modified its input (-want +got):\n%s", diff)
	}
}

func TestEncodeLineContract(t *testing.T) {
	r := testRecord(7)
	r.Seq, r.Prev = 7, "genesis:00112233445566778899aabbccddeeff"
	// A value that does not survive a decode/encode round trip through float64.
	r.Drift = append(r.Drift, DriftItem{Path: "spec.big", Git: int64(1<<62 + 1)})

	line, err := encodeLine(&r)
	if err != nil {
		t.Fatalf("encodeLine: %v", err)
	}
	empty := r
	empty.Hash = ""
	canonical, err := json.Marshal(empty)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append([]byte(r.Prev+"\n"), canonical...))
	if want := hex.EncodeToString(sum[:]); r.Hash != want {
		t.Errorf("hash = %s, want %s", r.Hash, want)
	}
	full, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(full, '\n'); !bytes.Equal(line, want) {
		t.Errorf("line = %s\nwant %s", line, want)
	}

	got, err := parseLine(line[:len(line)-1])
	if err != nil {
		t.Fatalf("parseLine: %v", err)
	}
	if diff := cmp.Diff(link{Seq: 7, Prev: r.Prev, Hash: r.Hash}, got); diff != "" {
		t.Errorf("parseLine mismatch (-want +got):\n%s", diff)
	}
}

func TestParseLineRejects(t *testing.T) {
	r := testRecord(1)
	r.Seq, r.Prev = 1, "genesis:00112233445566778899aabbccddeeff"
	good, err := encodeLine(&r)
	if err != nil {
		t.Fatal(err)
	}
	good = good[:len(good)-1]
	tests := []struct {
		name string
		line []byte
		want error
	}{
		{"ok", good, nil},
		{"empty", nil, errInvalidJSON},
		{"cut", good[:len(good)/2], errInvalidJSON},
		{"edited", bytes.Replace(good, []byte("obj-1"), []byte("obj-2"), 1), errHashMismatch},
		{"hash upper case", bytes.Replace(good, []byte(r.Hash), []byte(strings.ToUpper(r.Hash)), 1), errMalformedHash},
		{"hash not last", []byte(`{"hash":"` + r.Hash + `","seq":1}`), errMalformedHash},
		{"trailing space", append(bytes.Clone(good), ' '), errMalformedHash},
		{"bad prev", bytes.Replace(good, []byte(r.Prev), []byte("genesis:xyz"), 1), errMalformedPrev},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseLine(tc.line); err != tc.want {
				t.Errorf("parseLine() error = %v, want %v", err, tc.want)
			}
		})
	}
}

func testRecord(i int) Record {
	return Record{
		Time:      time.Date(2025, 1, 2, 3, 4, 5, i, time.UTC),
		UID:       "uid-" + strconv.Itoa(i),
		User:      User{Username: "alice", Groups: []string{"dev"}, Extra: map[string][]string{"z": {"1"}, "a": {"2"}}},
		Operation: "UPDATE",
		GVK:       GVK{Group: "apps", Version: "v1", Kind: "Deployment"},
		Namespace: "default",
		Name:      "obj-" + strconv.Itoa(i),
		Decision:  DecisionDenied,
		Mode:      ModeEnforce,
		Reasons:   []string{"spec.replicas differs from git"},
		Drift:     []DriftItem{{Path: "spec.replicas", Declared: true, Git: int64(3), Old: int64(3), New: int64(5)}},
		Commit:    "0123456789abcdef0123456789abcdef01234567",
		Source:    "apps/web.yaml:12",
	}
}

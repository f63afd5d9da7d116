package audit

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

const (
	genesisPrefix = "genesis:"
	// hashKey precedes the hash, the last field of every line.
	hashKey = `,"hash":"`
	// hashTail is the end of every line after hashKey: 64 hex digits and `"}`.
	hashTail = sha256.Size*2 + 2
)

// Reasons a single line fails on its own, used as ChainError.Reason.
var (
	errInvalidJSON   = errors.New("invalid JSON (line truncated or corrupted)")
	errMalformedHash = errors.New("malformed hash field (line corrupted)")
	errHashMismatch  = errors.New("hash mismatch (line edited)")
	errMalformedPrev = errors.New("malformed prev (line corrupted)")
)

// link is the part of a line the chain is made of.
type link struct {
	Seq        uint64      `json:"seq"`
	Prev       string      `json:"prev"`
	Hash       string      `json:"hash"`
	Checkpoint *Checkpoint `json:"checkpoint"`
}

// newGenesis returns the prev of the first record of a new chain.
func newGenesis() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate genesis: %w", err)
	}
	return genesisPrefix + hex.EncodeToString(b[:]), nil
}

func isGenesis(prev string) bool {
	rest, ok := strings.CutPrefix(prev, genesisPrefix)
	return ok && len(rest) == 32 && isLowerHex(rest)
}

func isHash(s string) bool {
	return len(s) == sha256.Size*2 && isLowerHex(s)
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// chainHash hashes prev, a newline, and the line up to (excluding) its hash digits,
// closed as if the hash were empty: `..."hash":""}`.
func chainHash(prev string, head []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(head)
	h.Write([]byte(`"}`))
	return hex.EncodeToString(h.Sum(nil))
}

// encodeLine sets r.Hash from r.Prev and the rest of r and returns the line to write,
// newline included. r.Seq and r.Prev must already be set.
func encodeLine(r *Record) ([]byte, error) {
	r.Hash = ""
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode audit record uid %q: %w", r.UID, err)
	}
	empty := hashKey + `"}`
	if !bytes.HasSuffix(b, []byte(empty)) {
		return nil, fmt.Errorf("encode audit record uid %q: hash is not the last field", r.UID)
	}
	head := b[:len(b)-2] // ends with `"hash":"`
	r.Hash = chainHash(r.Prev, head)
	line := make([]byte, 0, len(b)+len(r.Hash)+1)
	line = append(line, head...)
	line = append(line, r.Hash...)
	return append(line, '"', '}', '\n'), nil
}

// parseLine decodes one line (without its newline) and checks it against its own
// hash. The returned error is one of the err* reasons above.
func parseLine(line []byte) (link, error) {
	var l link
	if err := json.Unmarshal(line, &l); err != nil {
		return l, errInvalidJSON
	}
	n := len(line)
	if n < len(hashKey)+hashTail ||
		string(line[n-hashTail-len(hashKey):n-hashTail]) != hashKey ||
		string(line[n-2:]) != `"}` ||
		string(line[n-hashTail:n-2]) != l.Hash || !isHash(l.Hash) {
		return l, errMalformedHash
	}
	if !isHash(l.Prev) && !isGenesis(l.Prev) {
		return l, errMalformedPrev
	}
	if chainHash(l.Prev, line[:n-hashTail]) != l.Hash {
		return l, errHashMismatch
	}
	return l, nil
}

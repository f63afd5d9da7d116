package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// Filter selects records for `gitgate audit show`. Zero fields match everything;
// string fields match exactly, except Decision and Kind, which ignore case.
type Filter struct {
	Since, Until                          time.Time
	User, Namespace, Kind, Name, Decision string
	// Checkpoints includes checkpoint lines, which are left out by default.
	Checkpoints bool
}

// Match reports whether r passes f.
func (f Filter) Match(r *Record) bool {
	switch {
	case r.Checkpoint != nil && !f.Checkpoints:
		return false
	case !f.Since.IsZero() && r.Time.Before(f.Since):
		return false
	case !f.Until.IsZero() && !r.Time.Before(f.Until):
		return false
	case f.User != "" && r.User.Username != f.User:
		return false
	case f.Namespace != "" && r.Namespace != f.Namespace:
		return false
	case f.Kind != "" && !strings.EqualFold(r.GVK.Kind, f.Kind):
		return false
	case f.Name != "" && r.Name != f.Name:
		return false
	case f.Decision != "" && !strings.EqualFold(r.Decision, f.Decision):
		return false
	}
	return true
}

// ReadRecords decodes the records of path that match f, in file order. A line that
// does not decode is skipped and counted in skipped (verify says why).
func ReadRecords(path string, f Filter) (recs []Record, skipped int, err error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			skipped++
			continue
		}
		if f.Match(&r) {
			recs = append(recs, r)
		}
	}
	if err := sc.Err(); err != nil {
		return recs, skipped, fmt.Errorf("read audit log %s: %w", path, err)
	}
	return recs, skipped, nil
}

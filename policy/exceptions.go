package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Exception is one entry of data.gitgate.exceptions (or of a built-in
// default policy).
type Exception struct {
	// ID names the exception in messages and audit records (required).
	ID string
	// Reason says why the exception exists (required).
	Reason string
	// Paths limit the drift paths covered; nil covers every path. An entry
	// matches a path exactly, as a prefix ending at a path boundary ("." or
	// "["), or, ending in "*", as a plain string prefix.
	Paths []string
	// Expires is when the exception stops applying; zero means never.
	Expires time.Time
	// BreakGlass marks an emergency override.
	BreakGlass bool
}

// Covers reports whether x covers the drift path p, regardless of expiry.
func (x *Exception) Covers(p string) bool {
	if x.Paths == nil {
		return true
	}
	for _, pat := range x.Paths {
		if pathMatches(pat, p) {
			return true
		}
	}
	return false
}

func pathMatches(pattern, p string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(p, prefix)
	}
	if !strings.HasPrefix(p, pattern) {
		return false
	}
	return len(p) == len(pattern) || p[len(pattern)] == '.' || p[len(pattern)] == '['
}

// apply records which drift items the exceptions cover at now.
func (r *Result) apply(all []Exception, drift []DriftItem, now time.Time) {
	for i := range all {
		x := &all[i]
		live := x.Expires.IsZero() || x.Expires.After(now)
		matched := false
		for j := range drift {
			if x.Covers(drift[j].Path) {
				matched = true
				r.Covered[j] = r.Covered[j] || live
			}
		}
		switch {
		case !matched:
		case live:
			r.Exceptions = append(r.Exceptions, *x)
		default:
			r.Expired = append(r.Expired, *x)
		}
	}
	byID := func(a, b Exception) int { return strings.Compare(a.ID, b.ID) }
	slices.SortStableFunc(r.Exceptions, byID)
	slices.SortStableFunc(r.Expired, byID)
}

// parseExceptions validates the set or array of exception objects at key.
func parseExceptions(doc map[string]any, key, name string) ([]Exception, error) {
	v, defined := doc[key]
	if !defined {
		return nil, nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a set or an array of objects, got %s", name, typeName(v))
	}
	out := make([]Exception, 0, len(items))
	for i, it := range items {
		x, err := parseException(it)
		if err != nil {
			return nil, fmt.Errorf("%s[%d] %s: %w", name, i, brief(it), err)
		}
		out = append(out, x)
	}
	return out, nil
}

func parseException(v any) (Exception, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return Exception{}, fmt.Errorf("must be an object, got %s", typeName(v))
	}
	var x Exception
	var err error
	for key, val := range obj {
		switch key {
		case "id":
			x.ID, err = nonEmptyString(val, key)
		case "reason":
			x.Reason, err = nonEmptyString(val, key)
		case "paths":
			x.Paths, err = stringList(val)
		case "expires":
			x.Expires, err = expiry(val)
		case "break_glass":
			var isBool bool
			if x.BreakGlass, isBool = val.(bool); !isBool {
				err = fmt.Errorf("break_glass must be a boolean, got %s", typeName(val))
			}
		default:
			// A misspelt "paths" or "expires" would silently widen the
			// exception, so unknown keys are an error.
			err = fmt.Errorf("unknown key %q (known: id, reason, paths, expires, break_glass)", key)
		}
		if err != nil {
			return Exception{}, err
		}
	}
	return x, required(&x)
}

func required(x *Exception) error {
	switch {
	case x.ID == "":
		return fmt.Errorf("missing id")
	case x.Reason == "":
		return fmt.Errorf("missing reason")
	}
	return nil
}

func nonEmptyString(v any, key string) (string, error) {
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fmt.Errorf("%s must be a non-empty string, got %s", key, typeName(v))
	}
	return s, nil
}

func stringList(v any) ([]string, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("paths must be a set or an array of strings, got %s", typeName(v))
	}
	out := make([]string, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("paths[%d] must be a non-empty string, got %s", i, typeName(it))
		}
		out[i] = s
	}
	return out, nil
}

func expiry(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("expires must be an RFC 3339 string, got %s", typeName(v))
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("expires: %w", err)
	}
	return t, nil
}

// brief renders an offending value for an error message, shortened.
func brief(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	const limit = 120
	if len(data) > limit {
		return string(data[:limit]) + "…"
	}
	return string(data)
}

package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ErrInputTooLarge is returned by Evaluate for an input whose approximate
// JSON size exceeds Options.MaxInputBytes.
var ErrInputTooLarge = errors.New("policy input too large")

// inputBuilder turns an Input into the Rego value of `input`, accounting for
// its approximate JSON size on the way.
type inputBuilder struct {
	size, max int
}

// build returns in as the value of `input`: a lazy object over plain Go
// maps and slices, converted to Rego values only as far as a policy reads
// them. Policies typically read a few request fields, so most of the input,
// above all the three Kubernetes objects, is never converted.
func (b *inputBuilder) build(in *Input, now time.Time) (ast.Value, error) {
	doc := make(map[string]any, 8)
	doc["request"] = b.request(&in.Request)
	// object, oldObject and desired are three versions of one Kubernetes object,
	// and the drift items' git, old and new values are pieces of them: only the
	// largest of these six counts toward the cap, or no exception could ever
	// apply to an object over a sixth of it.
	base, largest := b.size, 0
	for _, f := range []struct {
		key   string
		obj   map[string]any
		bytes int
	}{{"object", in.Object, in.ObjectBytes}, {"oldObject", in.OldObject, in.OldObjectBytes}, {"desired", in.Desired, 0}} {
		if len(f.obj) == 0 {
			continue
		}
		b.size = base
		if f.bytes > 0 { // decoded from JSON: plain, and its size is known
			b.size += f.bytes
			doc[f.key] = f.obj
		} else {
			v, err := b.object(f.obj)
			if err != nil {
				return nil, fmt.Errorf("input.%s: %w", f.key, err)
			}
			doc[f.key] = v
		}
		largest = max(largest, b.size-base)
	}
	b.size = base
	drift, columns, err := b.drift(in.Drift)
	if err != nil {
		return nil, err
	}
	b.size += max(largest, columns[0], columns[1], columns[2])
	doc["drift"] = drift
	doc["commit"] = b.str(in.Commit)
	if in.Source != "" {
		doc["source"] = b.str(in.Source)
	}
	doc["now"] = b.str(now.UTC().Format(time.RFC3339Nano))
	if b.size > b.max {
		return nil, b.tooLarge()
	}
	return ast.LazyObject(doc), nil
}

func (b *inputBuilder) tooLarge() error {
	return fmt.Errorf("%w: more than %d bytes", ErrInputTooLarge, b.max)
}

// The documents below hold only types ast converts natively (string, bool,
// []string, map[string]string, map[string]any, []any and ast.Value).

func (b *inputBuilder) str(s string) string {
	b.size += len(s) + 3
	return s
}

func (b *inputBuilder) strs(ss []string) []string {
	for _, s := range ss {
		b.str(s)
	}
	return ss
}

func (b *inputBuilder) request(r *Request) map[string]any {
	doc := map[string]any{
		"operation": b.str(r.Operation),
		"userInfo":  b.userInfo(&r.UserInfo),
		"dryRun":    r.DryRun,
		"kind": map[string]any{
			"group":   b.str(r.Kind.Group),
			"version": b.str(r.Kind.Version),
			"kind":    b.str(r.Kind.Kind),
		},
		"name": b.str(r.Name),
	}
	if r.SubResource != "" {
		doc["subResource"] = b.str(r.SubResource)
	}
	if r.Namespace != "" {
		doc["namespace"] = b.str(r.Namespace)
	}
	if len(r.Annotations) > 0 {
		for k, v := range r.Annotations {
			b.str(k)
			b.str(v)
		}
		doc["annotations"] = r.Annotations
	}
	return doc
}

func (b *inputBuilder) userInfo(u *UserInfo) map[string]any {
	doc := map[string]any{"username": b.str(u.Username)}
	if u.UID != "" {
		doc["uid"] = b.str(u.UID)
	}
	if len(u.Groups) > 0 {
		doc["groups"] = b.strs(u.Groups)
	}
	if len(u.Extra) > 0 {
		extra := make(map[string]any, len(u.Extra))
		for k, vs := range u.Extra {
			extra[b.str(k)] = b.strs(vs)
		}
		doc["extra"] = extra
	}
	return doc
}

// drift builds input.drift and returns the sizes of its git, old and new values
// (each column a piece of one object), which are not added to b.size.
func (b *inputBuilder) drift(items []DriftItem) ([]any, [3]int, error) {
	out := make([]any, len(items))
	var columns [3]int
	for i := range items {
		d := &items[i]
		doc := map[string]any{"path": b.str(d.Path), "declared": d.Declared}
		for j, f := range []struct {
			key string
			val any
		}{{"git", d.Git}, {"old", d.Old}, {"new", d.New}} {
			if f.val == nil {
				continue
			}
			before := b.size
			v, err := b.value(f.val)
			if err != nil {
				return nil, columns, fmt.Errorf("input.drift[%d].%s: %w", i, f.key, err)
			}
			columns[j] += b.size - before
			b.size = before
			doc[f.key] = v
		}
		out[i] = doc
	}
	return out, columns, nil
}

// object prepares a Kubernetes object for the lazy input document: a plain
// JSON-shaped map (the common case) is kept as it is, to be converted on
// access; anything else is converted now, where an error can be returned
// (a lazy conversion that fails would panic).
func (b *inputBuilder) object(m map[string]any) (any, error) {
	plain, err := b.measure(m)
	if err != nil {
		return nil, err
	}
	if plain {
		return m, nil
	}
	return ast.InterfaceToValue(m)
}

// value prepares one drift value like object does.
func (b *inputBuilder) value(x any) (any, error) {
	plain, err := b.measure(x)
	if err != nil {
		return nil, err
	}
	if plain {
		return x, nil
	}
	return ast.InterfaceToValue(x)
}

// measure adds the approximate JSON size of x and reports whether x holds
// only the types ast converts natively (so a lazy object cannot fail later).
func (b *inputBuilder) measure(x any) (plain bool, err error) {
	if b.size > b.max {
		return false, b.tooLarge()
	}
	switch v := x.(type) {
	case nil, bool:
		b.size += 5
	case string:
		b.size += len(v) + 2
	case int, int64, uint64:
		b.size += 8
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false, fmt.Errorf("number %v is not valid JSON", v)
		}
		b.size += 8
	case json.Number:
		if _, err := ast.NumberChecked(string(v)); err != nil {
			return false, err
		}
		b.size += len(v)
	case []any:
		return b.measureSlice(v)
	case map[string]any:
		return b.measureMap(v)
	default:
		return false, b.measureOther(x)
	}
	return true, nil
}

func (b *inputBuilder) measureSlice(s []any) (bool, error) {
	plain := true
	for _, e := range s {
		p, err := b.measure(e)
		if err != nil {
			return false, err
		}
		plain = plain && p
		b.size++
	}
	return plain, nil
}

func (b *inputBuilder) measureMap(m map[string]any) (bool, error) {
	plain := true
	for k, e := range m {
		b.size += len(k) + 4
		p, err := b.measure(e)
		if err != nil {
			return false, err
		}
		plain = plain && p
	}
	return plain, nil
}

// measureOther sizes a value of an unusual type through its JSON form.
func (b *inputBuilder) measureOther(x any) error {
	data, err := json.Marshal(x)
	if err != nil {
		return fmt.Errorf("convert %T: %w", x, err)
	}
	b.size += len(data)
	return nil
}

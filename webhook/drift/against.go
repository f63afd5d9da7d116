package drift

import (
	"strconv"
	"strings"
)

// Against compares obj with the whole desired object (a CREATE, the drift scan,
// the applier's "already matches?"): every path where obj differs from it,
// declared values and extras alike. An extra (a subtree the desired object does
// not have) is one Change at its top (a map entry: each entry), with Declared
// false and its Pointer in obj.
//
// Who set a field comes from obj's managedFields. A field no manager owns was
// set by the API server (defaulting, mutating admission), not by anyone: it is
// not drift where git declares nothing. Fields owned only by the entitled
// field managers (the sync identity's, the cluster controllers') are not drift
// either, where git declares nothing. The webhook passes none: a requester
// picks its own manager name.
func (c *Comparer) Against(obj map[string]any, d *Desired, entitled ...string) []Change {
	w := walker{own: newOwners(obj, entitled)}
	w.against(c.typeOf(d.GVK).rootNode(), nil, asAny(obj), asAny(d.Object), asAny(d.Git), w.own.root())
	return w.changes
}

func (w *walker) against(n node, p path, obj, d, g any, o owned) {
	if isAny(d) {
		return
	}
	if m, ok := matchesOneOf(n, d, obj); ok {
		if !m {
			w.mismatch(p, obj, d, g, o)
		}
		return
	}
	om, objIsMap := obj.(map[string]any)
	dm, dIsMap := d.(map[string]any)
	if (objIsMap || obj == nil) && (dIsMap || d == nil) && (objIsMap || dIsMap) && (d != nil || entriesAt(n, p)) && !n.atomicMap() {
		w.againstMap(n, p, om, dm, g, o)
		return
	}
	if keys := n.listKeys(); len(keys) > 0 && d != nil && isListOrNil(obj) && isListOrNil(d) {
		w.againstKeyed(n, keys, p, obj, d, g, o)
		return
	}
	if equalAs(n, obj, d) && !(entriesAt(n, p) && !sameKeysAny(obj, d)) {
		return
	}
	w.mismatch(p, obj, d, g, o)
}

// mismatch records a difference: an extra when d is absent, else a declared
// value. Either is forgiven where git declares nothing and nobody but the server
// or an entitled manager set the live value.
func (w *walker) mismatch(p path, obj, d, g any, o owned) {
	if g == nil && !w.own.drift(o) {
		return
	}
	c := Change{Path: p.String(), Declared: g != nil, Git: d, New: obj}
	if g == nil && obj != nil {
		c.Pointer = w.pointer()
	}
	w.changes = append(w.changes, c)
}

func (w *walker) againstMap(n node, p path, om, dm map[string]any, g any, o owned) {
	gm, _ := g.(map[string]any)
	entries := entriesAt(n, p)
	for _, k := range sortedKeys(om, dm) {
		cp := p.field(k)
		if len(cp) <= 3 && noise[cp.String()] {
			continue
		}
		ov, inObj := om[k]
		dv, inD := dm[k]
		w.push(escape(k))
		if entries && inObj != inD {
			w.mismatch(cp, presentValue(ov, inObj), presentValue(dv, inD), gm[k], o.field(k))
		} else {
			w.against(n.field(k), cp, ov, dv, gm[k], o.field(k))
		}
		w.pop()
	}
}

func (w *walker) againstKeyed(n node, keys []string, p path, obj, d, g any, o owned) {
	e := n.elem()
	ol, _ := obj.([]any)
	dl, _ := d.([]any)
	gl, _ := g.([]any)
	oi, di, gi := indexByKey(e, keys, ol), indexByKey(e, keys, dl), indexByKey(e, keys, gl)
	pos := make(map[string]int, len(ol))
	for i, it := range ol {
		pos[itemKey(e, keys, it)] = i
	}
	for _, k := range orderedKeys(e, keys, ol, dl) {
		if i, ok := pos[k]; ok {
			w.push(strconv.Itoa(i))
		} else {
			w.push("-")
		}
		w.against(e, p.item(k), oi[k], di[k], gi[k], o.item(e, keys, oi[k]))
		w.pop()
	}
}

func (w *walker) push(seg string) { w.ptr = append(w.ptr, seg) }
func (w *walker) pop()            { w.ptr = w.ptr[:len(w.ptr)-1] }

func (w *walker) pointer() string {
	if len(w.ptr) == 0 {
		return ""
	}
	return "/" + strings.Join(w.ptr, "/")
}

// escape makes a map key a JSON pointer segment.
func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

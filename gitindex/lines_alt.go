package gitindex

import "encoding/base64"

// find looks a path up in the object's document: as written; for a Secret's
// data key, under stringData, where git may have written it; and with list
// items selected by position, for an item whose keys a kustomization changed
// (an overlay that makes port 80 port 8081 leaves the base's item in its place).
func (o *Object) find(doc []byte, segs []string) (quickResult, bool) {
	res, ok := findLine(doc, o.inDocument(segs), o.origin)
	if ok && res.found {
		return res, true
	}
	if alt, ok := stringDataPath(o.Key, segs); ok {
		if r, ok := findLine(doc, o.inDocument(alt), true); ok && r.found {
			if r.scalar && r.known {
				r.value = base64.StdEncoding.EncodeToString([]byte(r.value)) // as data holds it
			}
			return r, true
		}
	}
	if alt, ok := positionalPath(o.Object, segs); ok {
		if r, ok := findLine(doc, o.inDocument(alt), true); ok && r.found {
			return r, true
		}
	}
	return res, ok
}

// inDocument makes segs a path in the object's document: a List item's text is
// a one-item sequence.
func (o *Object) inDocument(segs []string) []string {
	if !o.listItem {
		return segs
	}
	return append([]string{"[0]"}, segs...)
}

// stringDataPath is the path of a Secret's data key in stringData (Build folds
// stringData into data, as the API server does).
func stringDataPath(k Key, segs []string) ([]string, bool) {
	if k.Group != "" || k.Kind != "Secret" || len(segs) < 2 || segs[0] != "data" {
		return nil, false
	}
	return append([]string{"stringData"}, segs[1:]...), true
}

// positionalPath replaces each [key=value] item segment of segs with the item's
// position in obj; ok is false when the path selects no keyed item.
func positionalPath(obj map[string]any, segs []string) ([]string, bool) {
	ptr, ok := pointerOf(obj, segs)
	if !ok {
		return nil, false
	}
	out := make([]string, len(segs))
	changed := false
	for i, seg := range segs {
		out[i] = seg
		if _, isIndex := itemIndex(seg); isItem(seg) && !isIndex {
			out[i], changed = "["+ptr[i]+"]", true
		}
	}
	return out, changed
}

package gitindex

import (
	"encoding/base64"

	"github.com/gitgate-dev/gitgate/gitindex/internal/yamlline"
)

// LineOf returns the line in Path of the field at a drift path (for example
// spec.template.spec.containers[name=nginx].image), or of the deepest part of it git
// declares; the object's own line when nothing matches. For an object a
// kustomization rendered, a field its document lacks, or declares with another
// value, was set by a patch or a transformer, not at the nearest part the document
// declares: LineOf returns the document's line then (SourceOf finds the patch). It
// parses the object's document again, so it belongs on the denial path, not the
// hot path.
func (o *Object) LineOf(path string) int {
	line, _ := o.lineIn(o.document(), path)
	return line
}

// document returns the object's document (nil when its text is not kept).
func (o *Object) document() []byte {
	if o.src == nil {
		return nil
	}
	doc, err := o.src.slice(int(o.docStart), int(o.docEnd))
	if err != nil {
		return nil
	}
	return doc
}

// lineIn is LineOf over the object's document doc. settled is false when the
// line is the document's own because a kustomization's object lacks the field
// there or has another value: something else set it.
func (o *Object) lineIn(doc []byte, path string) (line int, settled bool) {
	if path == "" {
		return o.Line, true
	}
	if doc == nil {
		return o.Line, !o.origin
	}
	segs := yamlline.SplitPath(path)
	res, ok := o.find(doc, segs)
	switch {
	case !ok:
		return o.Line, !o.origin
	case o.origin && !res.Found:
		return o.Line, false
	case o.origin && res.Scalar && !yamlline.SameScalar(res.Value, yamlline.ValueAt(o.Object, segs)):
		return o.Line, false
	}
	return o.Line + res.Line - 1, true
}

// find looks a path up in the object's document: as written; for a Secret's
// data key, under stringData, where git may have written it; and with list
// items selected by position, for an item whose keys a kustomization changed
// (an overlay that makes port 80 port 8081 leaves the base's item in its place).
func (o *Object) find(doc []byte, segs []string) (yamlline.Result, bool) {
	res, ok := yamlline.Find(doc, o.inDocument(segs), o.origin)
	if ok && res.Found {
		return res, true
	}
	if alt, ok := stringDataPath(o.Key, segs); ok {
		if r, ok := yamlline.Find(doc, o.inDocument(alt), true); ok && r.Found {
			if r.Scalar && r.Known {
				r.Value = base64.StdEncoding.EncodeToString([]byte(r.Value)) // as data holds it
			}
			return r, true
		}
	}
	if alt, ok := positionalPath(o.Object, segs); ok {
		if r, ok := yamlline.Find(doc, o.inDocument(alt), true); ok && r.Found {
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
		if _, isIndex := yamlline.ItemIndex(seg); yamlline.IsItem(seg) && !isIndex {
			out[i], changed = "["+ptr[i]+"]", true
		}
	}
	return out, changed
}

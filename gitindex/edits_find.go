package gitindex

import (
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/gitgate-dev/gitgate/gitindex/internal/yamlline"
)

// SourceOf returns the file and line to change for the field at a drift path.
// It is LineOf's line in Path, except for a field of an object a kustomization
// rendered that its document lacks or declares with another value: a patch, an
// images entry or a replicas entry of the kustomization or of one of its bases
// set it, and SourceOf returns that patch's line (in the patch file, or in the
// kustomization for an inline patch) or that entry's. The last one kustomize
// applied wins (an overlay's after its base's). When none sets the field, it is
// the document's line, as LineOf's. It parses the documents again, so it
// belongs on the denial path, not the hot path. For an object a chart rendered
// it is the template line that writes the field or, when that line takes it from
// .Values, the values entry that set it (see helm.Locator.SourceOf).
func (o *Object) SourceOf(path string) (file string, line int) {
	if o.locator != nil { // a chart's object: its template's line, or the values'
		segs := yamlline.SplitPath(path)
		return o.locator.SourceOf(fieldNames(segs), yamlline.ValueAt(o.Object, segs))
	}
	doc := o.document()
	line, settled := o.lineIn(doc, path)
	if settled || o.edits == nil {
		return o.Path, line
	}
	names := originalNames(doc)
	segs := yamlline.SplitPath(path)
	for i := len(o.edits.levels) - 1; i >= 0; i-- {
		level := o.edits.levels[i]
		for j := len(level) - 1; j >= 0; j-- {
			if at, ok := level[j].sets(o, names, segs); ok {
				return level[j].file, at
			}
		}
	}
	return o.Path, line
}

// objectNames are an object's name and namespace in its document, before
// kustomize changed them ("" when unknown: a generated object).
type objectNames struct{ name, namespace string }

func originalNames(doc []byte) objectNames {
	var n objectNames
	if doc == nil {
		return n
	}
	if res, ok := yamlline.Find(doc, []string{"metadata", "name"}, true); ok && res.Found && res.Scalar {
		n.name = res.Value
	}
	if res, ok := yamlline.Find(doc, []string{"metadata", "namespace"}, true); ok && res.Found && res.Scalar {
		n.namespace = res.Value
	}
	return n
}

// named reports whether a patch that names its object name applies to o: the
// name is o's before kustomize added prefixes and suffixes, after, or between.
func (n objectNames) named(o *Object, name string) bool {
	return name != "" && strings.Contains(name, n.name) && strings.Contains(o.Name, name)
}

// sets returns the line at which the edit sets the field at segs of o.
func (e *edit) sets(o *Object, names objectNames, segs []string) (int, bool) {
	switch e.kind {
	case editImage:
		return e.line, e.setsImage(o, segs)
	case editVar:
		return e.line, e.usedAt(o, segs)
	case editName:
		return e.line, len(segs) == 2 && segs[0] == "metadata" && segs[1] == "name" && names.name != o.Name
	case editNamespace:
		return e.line, len(segs) == 2 && segs[0] == "metadata" && segs[1] == "namespace" && names.namespace != o.Namespace
	case editReplicas:
		return e.line, len(segs) == 2 && segs[0] == "spec" && segs[1] == "replicas" && names.named(o, e.name) &&
			yamlline.SameScalar(e.count, yamlline.ValueAt(o.Object, segs))
	}
	if !e.selects(o, names) {
		return 0, false
	}
	doc, err := e.patch.bytes()
	if err != nil {
		return 0, false
	}
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil || len(root.Content) == 0 {
		return 0, false
	}
	var at int
	var ok bool
	if n := root.Content[0]; n.Kind == yaml.SequenceNode {
		at, ok = opsLine(n, o, segs)
	} else {
		res := yamlline.Walk(n, segs)
		at, ok = res.Line, res.Found && (!res.Scalar || yamlline.SameScalar(res.Value, yamlline.ValueAt(o.Object, segs)))
	}
	if !ok {
		return 0, false
	}
	if e.flat {
		return e.line, true
	}
	return e.line + at - 1, true
}

// selects reports whether a patch applies to o: its target selects o, or,
// without one, its document names o.
func (e *edit) selects(o *Object, names objectNames) bool {
	t := e.target
	if t == nil {
		return e.docKind == o.Kind && names.named(o, e.docName)
	}
	gv, _ := schema.ParseGroupVersion(o.APIVersion)
	meta, _ := o.Object["metadata"].(map[string]any)
	switch {
	case t.Kind != "" && t.Kind != o.Kind, t.Group != "" && t.Group != o.Group, t.Version != "" && t.Version != gv.Version:
		return false
	case t.Name != "" && !matchesAny(t.Name, names.name, o.Name):
		return false
	case t.Namespace != "" && !matchesAny(t.Namespace, names.namespace, o.Namespace):
		return false
	}
	return selected(t.LabelSelector, meta["labels"]) && selected(t.AnnotationSelector, meta["annotations"])
}

// matchesAny reports whether the anchored regular expression pattern matches
// one of the names, as kustomize matches a target's name and namespace.
func matchesAny(pattern string, names ...string) bool {
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return false
	}
	for _, n := range names {
		if n != "" && re.MatchString(n) {
			return true
		}
	}
	return false
}

// selected reports whether a label selector expression selects a map of
// labels or annotations.
func selected(selector string, m any) bool {
	if selector == "" {
		return true
	}
	s, err := labels.Parse(selector)
	if err != nil {
		return false
	}
	set := labels.Set{}
	if values, ok := m.(map[string]any); ok {
		for k, v := range values {
			if str, ok := v.(string); ok {
				set[k] = str
			}
		}
	}
	return s.Matches(set)
}

// setsImage reports whether the images entry set the container image at segs.
func (e *edit) setsImage(o *Object, segs []string) bool {
	n := len(segs)
	if n < 2 || segs[n-1] != "image" || !yamlline.IsItem(segs[n-2]) {
		return false
	}
	image, ok := yamlline.ValueAt(o.Object, segs).(string)
	if !ok {
		return false
	}
	name, tag, digest := splitImage(image)
	want := e.name
	if e.newName != "" {
		want = e.newName
	}
	return name == want && (e.newTag == "" || tag == e.newTag) && (e.digest == "" || digest == e.digest)
}

// splitImage splits a container image into its name, tag and digest.
func splitImage(image string) (name, tag, digest string) {
	name, digest, _ = strings.Cut(image, "@")
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		name, tag = name[:i], name[i+1:]
	}
	return name, tag, digest
}

// opsLine returns the line of the last JSON 6902 operation of ops that sets the
// field at segs of o (or a field holding it): its value's line, or the line
// inside the value that declares the field.
func opsLine(ops *yaml.Node, o *Object, segs []string) (int, bool) {
	ptr, ok := pointerOf(o.Object, segs)
	if !ok {
		return 0, false
	}
	for i := len(ops.Content) - 1; i >= 0; i-- {
		op := ops.Content[i]
		kind, _ := yamlline.Step(op, "op")
		at, _ := yamlline.Step(op, "path")
		if kind == nil || at == nil || !settingOps[kind.Value] {
			continue
		}
		tokens := splitPointer(at.Value)
		if len(tokens) > len(ptr) || !equalTokens(tokens, ptr[:len(tokens)]) {
			continue
		}
		value, line := yamlline.Step(op, "value")
		if value == nil {
			return op.Line, true // copy or move: the operation
		}
		res := yamlline.Walk(value, segs[len(tokens):])
		if !res.Found || res.Scalar && !yamlline.SameScalar(res.Value, yamlline.ValueAt(o.Object, segs)) {
			continue
		}
		if len(tokens) < len(segs) {
			line = res.Line
		}
		return line, true
	}
	return 0, false
}

// settingOps are the JSON 6902 operations that set a field.
var settingOps = map[string]bool{"add": true, "replace": true, "copy": true, "move": true}

// pointerOf returns the JSON pointer tokens of a drift path in obj: names, and
// the index of each list item the path selects.
func pointerOf(obj any, segs []string) ([]string, bool) {
	out := make([]string, 0, len(segs))
	v := obj
	for _, seg := range segs {
		if !yamlline.IsItem(seg) {
			m, _ := v.(map[string]any)
			out = append(out, yamlline.FieldName(seg))
			v = m[yamlline.FieldName(seg)]
			continue
		}
		list, _ := v.([]any)
		if i, ok := yamlline.ItemIndex(seg); ok && i < len(list) {
			out, v = append(out, strconv.Itoa(i)), list[i]
			continue
		}
		found := false
		for i, item := range list {
			if m, ok := item.(map[string]any); ok && yamlline.MapItemMatches(m, strings.Trim(seg, "[]")) {
				out, v, found = append(out, strconv.Itoa(i)), m, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return out, true
}

// splitPointer splits a JSON pointer into its unescaped tokens.
func splitPointer(p string) []string {
	if p == "" || p == "/" {
		return nil
	}
	tokens := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return tokens
}

// equalTokens reports whether an operation's path tokens a name the pointer
// b; "-" (append) stands for any position: the operation's value then tells
// whether it added the item.
func equalTokens(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] && (a[i] != "-" || !isIndexToken(b[i])) {
			return false
		}
	}
	return true
}

func isIndexToken(t string) bool {
	_, err := strconv.Atoi(t)
	return err == nil
}

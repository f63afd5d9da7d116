package webhook

import (
	"bytes"
	"encoding/json"

	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// managedFieldsKey introduces metadata.managedFields in the API server's compact JSON.
var managedFieldsKey = []byte(`"managedFields":`)

// decodeRaw decodes an object from an AdmissionRequest. For built-in kinds,
// metadata.managedFields — often the largest part of an object, and never compared —
// is cut out of the raw JSON first (scanned, not decoded into maps): the API server
// writes typed objects in field order, so the first "managedFields" member is
// metadata's. Custom resources (keys sorted, any field name possible) are decoded
// whole, and so is anything the cut fails on.
func decodeRaw(raw []byte, builtin bool) (map[string]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	if cut, ok := withoutManagedFields(raw); ok && builtin {
		var m map[string]any
		if err := utiljson.Unmarshal(cut, &m); err == nil {
			return m, nil
		}
	}
	var m map[string]any
	if err := utiljson.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// withoutManagedFields returns raw without the "managedFields" member, when the key
// is found where a member starts (after '{' or ',') and its value scans as JSON.
func withoutManagedFields(raw []byte) ([]byte, bool) {
	i := bytes.Index(raw, managedFieldsKey)
	if i <= 0 || (raw[i-1] != ',' && raw[i-1] != '{') {
		return nil, false
	}
	start := i + len(managedFieldsKey)
	dec := json.NewDecoder(bytes.NewReader(raw[start:]))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	end := start + int(dec.InputOffset())
	out := make([]byte, 0, len(raw)-(end-i))
	switch {
	case end < len(raw) && raw[end] == ',':
		out = append(append(out, raw[:i]...), raw[end+1:]...)
	case raw[i-1] == ',':
		out = append(append(out, raw[:i-1]...), raw[end:]...)
	default:
		out = append(append(out, raw[:i]...), raw[end:]...)
	}
	return out, true
}

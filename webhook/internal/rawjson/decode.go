package rawjson

import (
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// Decode decodes an object from an AdmissionRequest with parseObject: the
// values utiljson gives, without metadata.managedFields — often the largest part
// of an object, and never compared — in one pass without reflection. Input
// parseObject refuses is decoded again with utiljson, for its standard error (and,
// should the two ever disagree, utiljson's reading is used).
func Decode(raw []byte) (map[string]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	if m, err := parseObject(raw); err == nil {
		return m, nil
	}
	var m map[string]any
	if err := utiljson.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "managedFields")
	}
	return m, nil
}

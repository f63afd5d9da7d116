package webhook

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeRawDropsManagedFields(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"metadata":{"name":"a","managedFields":[{"manager":"x","fieldsV1":{"f:a":{}}}],"uid":"u"}}`, `{"metadata":{"name":"a","uid":"u"}}`},
		{`{"metadata":{"managedFields":[],"name":"a"}}`, `{"metadata":{"name":"a"}}`},
		{`{"metadata":{"name":"a","managedFields":[{"manager":"x"}]}}`, `{"metadata":{"name":"a"}}`},
		// Inside a string the key is data, not a member: kept.
		{`{"data":{"k":"\"managedFields\":1"}}`, `{"data":{"k":"\"managedFields\":1"}}`},
		{`{"metadata":{"name":"a"}}`, `{"metadata":{"name":"a"}}`},
	}
	for _, tt := range tests {
		got, err := decodeRaw([]byte(tt.in), true)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := decodeRaw([]byte(tt.want), true)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decodeRaw(%s) (-want +got):\n%s", tt.in, diff)
		}
	}
	if got, _ := decodeRaw([]byte(`{"a":{"managedFields":1},"metadata":{}}`), false); got["a"] == nil {
		t.Error("custom resource field named managedFields was cut")
	}
	if _, err := decodeRaw([]byte(`{"metadata":`), true); err == nil {
		t.Error("truncated JSON: want an error")
	}
}

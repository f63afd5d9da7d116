package rawjson

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

func TestDecodeRawDropsManagedFields(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"metadata":{"name":"a","managedFields":[{"manager":"x","fieldsV1":{"f:a":{}}}],"uid":"u"}}`, `{"metadata":{"name":"a","uid":"u"}}`},
		{`{"metadata":{"managedFields":[],"name":"a"}}`, `{"metadata":{"name":"a"}}`},
		{`{"metadata":{"name":"a","managedFields":[{"manager":"x"}]}}`, `{"metadata":{"name":"a"}}`},
		// Inside a string the key is data, not a member: kept.
		{`{"data":{"k":"\"managedFields\":1"}}`, `{"data":{"k":"\"managedFields\":1"}}`},
		{`{"metadata":{"name":"a"}}`, `{"metadata":{"name":"a"}}`},
		// Only metadata's: a custom resource's own field of that name is kept.
		{`{"spec":{"managedFields":1},"metadata":{}}`, `{"spec":{"managedFields":1},"metadata":{}}`},
		{`{"metadata":{"labels":{"managedFields":"x"}}}`, `{"metadata":{"labels":{"managedFields":"x"}}}`},
	}
	for _, tt := range tests {
		got, err := Decode([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := utiljson.Unmarshal([]byte(tt.want), &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Decode(%s) (-want +got):\n%s", tt.in, diff)
		}
	}
	if _, err := Decode([]byte(`{"metadata":`)); err == nil {
		t.Error("truncated JSON: want an error")
	}
}

// agreeWithUtiljson fails unless parseObject reads data exactly as utiljson does
// (less metadata.managedFields), or both refuse it.
func agreeWithUtiljson(t *testing.T, data []byte) {
	t.Helper()
	var want map[string]any
	wantErr := utiljson.Unmarshal(data, &want)
	got, err := parseObject(data)
	switch {
	case wantErr != nil && err == nil:
		t.Fatalf("parseObject(%q) accepted what utiljson refuses (%v): %#v", data, wantErr, got)
	case wantErr == nil && err != nil:
		t.Fatalf("parseObject(%q) refused what utiljson accepts: %v", data, err)
	case wantErr != nil:
		return
	}
	if md, ok := want["metadata"].(map[string]any); ok {
		delete(md, "managedFields")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("parseObject(%q) (-utiljson +parseObject):\n%s", data, diff)
	}
}

func TestParseObjectAgreesWithUtiljson(t *testing.T) {
	for _, in := range parseObjectSeeds {
		agreeWithUtiljson(t, []byte(in))
	}
	live, err := os.ReadFile("testdata/live-deployment.json")
	if err != nil {
		t.Fatal(err)
	}
	agreeWithUtiljson(t, live)
	deep := strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200)
	agreeWithUtiljson(t, []byte(deep))
}

var parseObjectSeeds = []string{
	`{}`, ` { } `, `null`, ` null `, `[]`, `1`, `"s"`, ``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{"a":1}x`,
	`{"a":1,"a":2}`, `{"a":{"b":[1,2,{"c":null}]},"d":[]}`, `{"t":true,"f":false,"n":null}`, `{"a":tru}`, `{"a":nul}`,
	`{"i":0,"n":-7,"big":9223372036854775807,"over":9223372036854775808,"neg":-9223372036854775809}`,
	`{"f":1.5,"e":1e3,"E":2E-2,"z":-0,"zf":-0.0,"x":1.0,"y":1e400}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":+1}`,
	`{"s":"plain","u":"caf\u00e9","p":"\ud83d\ude00","lone":"\ud800x","lone2":"\udc00","pair?":"\ud800\u0041"}`,
	`{"e":"\"\\\/\b\f\n\r\t"}`, `{"bad":"\x"}`, `{"bad":"\u12"}`, `{"ctl":"a` + "\x01" + `"}`, `{"nl":"a` + "\n" + `"}`,
	"{\"utf8\":\"\xff\xfe ok \xc3\xa9\"}", "{\"k\xff\":1}", "\xef\xbb\xbf{}",
	`{"metadata":{"name":"x","managedFields":[{"manager":"kubectl","fieldsV1":{"f:spec":{}}}],"managedFields":null}}`,
	`{"metadata":null}`, `{"metadata":[1]}`, `{"metadata":{"managedFields":[}}`, `{"metadata":{},"metadata":{"managedFields":1,"a":2}}`,
	"{\"a\":\t\r\n 1 }",
}

// smallDeployment is a Deployment as a client sends it, with a little of what
// the server adds.
const smallDeployment = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx","namespace":"staging",` +
	`"labels":{"app":"nginx"},"uid":"abc","resourceVersion":"7","annotations":{"deployment.kubernetes.io/revision":"1"}},` +
	`"spec":{"replicas":3,"progressDeadlineSeconds":600,"selector":{"matchLabels":{"app":"nginx"}},` +
	`"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.21","imagePullPolicy":"IfNotPresent"}]}}},` +
	`"status":{"replicas":3}}`

// FuzzParseObject checks parseObject against utiljson on arbitrary input.
func FuzzParseObject(f *testing.F) {
	for _, s := range parseObjectSeeds {
		f.Add([]byte(s))
	}
	live, err := os.ReadFile("testdata/live-deployment.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(live)
	f.Add([]byte(smallDeployment))
	f.Fuzz(agreeWithUtiljson)
}

// BenchmarkDecode: parseObject against the utiljson decode (the same-run
// baseline) on a small Deployment and on a live one as the API server sends it
// (6 KiB: defaults, last-applied annotation, managedFields, status).
func BenchmarkDecode(b *testing.B) {
	small := []byte(smallDeployment)
	live, err := os.ReadFile("testdata/live-deployment.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"small", small}, {"live", live}} {
		b.Run(c.name, func(b *testing.B) { benchDecode(b, c.data) })
	}
}

func benchDecode(b *testing.B, j []byte) {
	b.Run("utiljson", func(b *testing.B) {
		b.SetBytes(int64(len(j)))
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := utiljson.Unmarshal(j, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parseObject", func(b *testing.B) {
		b.SetBytes(int64(len(j)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseObject(j); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package gitindex

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeSeeds are documents whose YAML-to-JSON conversion has corner cases.
var decodeSeeds = []string{
	multiDoc,
	"mode: 0644\nhex: 0x1F\nbig: 18446744073709551615\nneg: -9223372036854775808\n",
	"f: 1.0\ng: 1e3\nh: 1.5e300\ni: 1e21\nj: 0.0000001\nk: -0.0\nl: 9.3e18\n",
	"nan: .nan\n",
	"inf: -.inf\n",
	"on: on\nyes: yes\nnull: ~\nempty:\nts: 2001-12-14t21:59:43.10-05:00\n",
	"1: int key\n1.5: float key\ntrue: bool key\n",
	"? [1, 2]\n: sequence key\n",
	"bin: !!binary aGVsbG8=\n",
	"bad: \"\\xff\\xfeok\"\nraw: \xff\xfe\n",
	"base: &b {a: 1, b: [x, y]}\nderived:\n  <<: *b\n  c: 3\n",
	"a: 1\na: 2\n",
	"- not\n- a mapping\n",
	"{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"data\": {\"n\": 1.25}}",
}

func TestDecodeDocumentMatchesReference(t *testing.T) {
	for _, s := range decodeSeeds {
		compareDecoders(t, []byte(s))
	}
}

// FuzzDecodeDocument checks the direct YAML-to-values conversion against the
// reference YAML → JSON → values round trip.
func FuzzDecodeDocument(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(compareDecoders)
}

func compareDecoders(t *testing.T, data []byte) {
	got, gotErr := decodeDocument(data)
	want, wantErr := decodeDocumentSlow(data)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%q: error %v, reference error %v", data, gotErr, wantErr)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%q (-reference +fast):\n%s", data, diff)
	}
}

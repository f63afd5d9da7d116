package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadRecordsFilter(t *testing.T) {
	recs := []Record{testRecord(0), testRecord(1), testRecord(2)}
	recs[1].User.Username, recs[1].Decision = "bob", DecisionWarned
	recs[2].Namespace, recs[2].GVK.Kind = "prod", "ConfigMap"
	opts := Options{Path: tempLog(t), SigningKey: testKey(t, 1), LogID: "pod-a"} // adds a final checkpoint line
	writeRecords(t, opts, recs...)
	t0 := testRecord(0).Time
	tests := []struct {
		name   string
		filter Filter
		want   []string // UIDs
	}{
		{name: "all but checkpoints", filter: Filter{}, want: []string{"uid-0", "uid-1", "uid-2"}},
		{name: "user", filter: Filter{User: "bob"}, want: []string{"uid-1"}},
		{name: "decision ignores case", filter: Filter{Decision: "WARNED"}, want: []string{"uid-1"}},
		{name: "namespace and kind", filter: Filter{Namespace: "prod", Kind: "configmap"}, want: []string{"uid-2"}},
		{name: "name", filter: Filter{Name: "obj-0"}, want: []string{"uid-0"}},
		{name: "time range", filter: Filter{Since: t0.Add(1), Until: t0.Add(2)}, want: []string{"uid-1"}},
		{name: "checkpoints", filter: Filter{Checkpoints: true, Decision: OperationCheckpoint}, want: []string{""}},
		{name: "nothing", filter: Filter{User: "carol"}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped, err := ReadRecords(opts.Path, tc.filter)
			if err != nil || skipped != 0 {
				t.Fatalf("ReadRecords: %v, skipped %d", err, skipped)
			}
			var uids []string
			for _, r := range got {
				uids = append(uids, r.UID)
			}
			if diff := cmp.Diff(tc.want, uids); diff != "" {
				t.Errorf("UIDs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/spf13/pflag"

	"github.com/gitgate-dev/gitgate/gitindex"
)

func TestLimitFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    gitindex.Limits
		wantErr bool
	}{
		{name: "defaults", want: gitindex.DefaultLimits()},
		{name: "quantities", args: []string{"--max-objects=10", "--max-manifest-bytes=1Mi", "--max-index-memory=2G"}, want: gitindex.Limits{MaxObjects: 10, MaxManifestBytes: 1 << 20, MaxIndexMemory: 2_000_000_000}},
		{name: "no bounds", args: []string{"--max-objects=0", "--max-manifest-bytes=0", "--max-index-memory=0"}, want: gitindex.Limits{}},
		{name: "not a quantity", args: []string{"--max-index-memory=lots"}, wantErr: true},
		{name: "negative", args: []string{"--max-objects=-1"}, wantErr: true},
		{name: "no timeout", args: []string{"--build-timeout=0s"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l limitFlags
			fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
			addLimitFlags(fs, &l)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			got, err := l.limits()
			if (err != nil) != tc.wantErr {
				t.Fatalf("limits() = %+v, %v; want error %v", got, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); !tc.wantErr && diff != "" {
				t.Errorf("limits (-want +got):\n%s", diff)
			}
		})
	}
	var l limitFlags
	addLimitFlags(pflag.NewFlagSet("serve", pflag.ContinueOnError), &l)
	if l.buildTimeout != time.Minute {
		t.Errorf("default --build-timeout %s, want 1m", l.buildTimeout)
	}
}

// TestLimitMetric counts each rejected commit once, by the bound it exceeded.
func TestLimitMetric(t *testing.T) {
	m, err := newStatusMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []gitindex.Status{
		{Commit: "a"},
		{Commit: "a", RejectedCommit: "b", RejectedLimit: gitindex.LimitObjects, Err: "over"},
		{Commit: "a", RejectedCommit: "b", RejectedLimit: gitindex.LimitObjects, Err: "over"}, // the same HEAD polled again
		{Commit: "a", RejectedCommit: "c", Err: "broken YAML"},
		{Commit: "a", RejectedCommit: "d", RejectedLimit: gitindex.LimitBuildTime, Err: "slow"},
	} {
		m.observe(st)
	}
	got := map[string]float64{}
	for _, l := range []string{gitindex.LimitObjects, gitindex.LimitManifestBytes, gitindex.LimitIndexMemory, gitindex.LimitBuildTime} {
		var c dto.Metric
		if err := m.limits.WithLabelValues(l).Write(&c); err != nil {
			t.Fatal(err)
		}
		got[l] = c.GetCounter().GetValue()
	}
	want := map[string]float64{gitindex.LimitObjects: 1, gitindex.LimitManifestBytes: 0, gitindex.LimitIndexMemory: 0, gitindex.LimitBuildTime: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gitgate_revision_limit_exceeded_total (-want +got):\n%s", diff)
	}
}

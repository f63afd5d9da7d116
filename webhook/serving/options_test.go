package serving

import (
	"testing"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
	}{
		{name: "webhook preset", opts: WebhookOptions(":9443", "/certs")},
		{name: "push preset", opts: PushOptions(":8082")},
		{name: "metrics preset", opts: MetricsOptions(":8443", "/certs")},
		{name: "probe preset", opts: ProbeOptions(":8081")},
		{name: "defaults", opts: Options{Name: "x", Addr: ":1"}},
		{name: "no name", opts: Options{Addr: ":1"}, wantErr: true},
		{name: "no address", opts: Options{Name: "x"}, wantErr: true},
		{name: "negative timeout", opts: Options{Name: "x", Addr: ":1", ReadTimeout: -1}, wantErr: true},
		{name: "negative connections", opts: Options{Name: "x", Addr: ":1", MaxConnsPerIP: -1}, wantErr: true},
		{name: "budget below one body", opts: Options{Name: "x", Addr: ":1", MaxBodyBytes: 10, BodyBudgetBytes: 5}, wantErr: true},
		{name: "small body over max body", opts: Options{Name: "x", Addr: ":1", MaxBodyBytes: 10, SmallBodyBytes: 11}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.opts.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

package certs

import (
	"net"
	"testing"
	"time"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
	}{
		{name: "DNS name", opts: Options{DNSNames: []string{"a.b.svc"}}},
		{name: "IP", opts: Options{IPs: []net.IP{net.ParseIP("::1")}}},
		{name: "no names", opts: Options{}, wantErr: true},
		{name: "empty DNS name", opts: Options{DNSNames: []string{""}}, wantErr: true},
		{name: "invalid IP", opts: Options{IPs: []net.IP{{1, 2}}}, wantErr: true},
		{name: "negative validity", opts: Options{DNSNames: []string{"a"}, Validity: -time.Hour}, wantErr: true},
		{name: "negative CA validity", opts: Options{DNSNames: []string{"a"}, CAValidity: -time.Hour}, wantErr: true},
		{name: "outlives default CA", opts: Options{DNSNames: []string{"a"}, Validity: 11 * DefaultCAValidity / 10}, wantErr: true},
		{name: "outlives CA", opts: Options{DNSNames: []string{"a"}, CAValidity: time.Hour}, wantErr: true},
		{name: "short pair", opts: Options{DNSNames: []string{"a"}, CAValidity: time.Hour, Validity: time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if (err != nil) != tt.wantErr {
				t.Errorf("Validate() = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

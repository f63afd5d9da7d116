package main

import (
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitgate-dev/gitgate/certs"
)

func newCertsCommand() *cobra.Command {
	var (
		dir      string
		dnsNames []string
		ips      []string
		validity time.Duration
	)
	cmd := &cobra.Command{
		Use:   "certs",
		Short: "Create a CA and a serving certificate (tls.crt, tls.key, ca.crt) in a folder",
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := certs.Options{DNSNames: dnsNames, Validity: validity}
			for _, s := range ips {
				ip := net.ParseIP(s)
				if ip == nil {
					return fmt.Errorf("--ip %q is not an IP address", s)
				}
				opts.IPs = append(opts.IPs, ip)
			}
			b, err := certs.Generate(opts, time.Now())
			if err != nil {
				return err
			}
			if err := certs.WriteDir(dir, b); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote tls.crt, tls.key and ca.crt to %s\n", dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "output folder")
	cmd.Flags().StringSliceVar(&dnsNames, "dns-name", []string{"gitgate.gitgate-system.svc", "gitgate.gitgate-system.svc.cluster.local"}, "DNS names of the serving certificate")
	cmd.Flags().StringSliceVar(&ips, "ip", nil, "IP addresses of the serving certificate")
	cmd.Flags().DurationVar(&validity, "validity", 365*24*time.Hour, "serving certificate validity")
	return cmd
}

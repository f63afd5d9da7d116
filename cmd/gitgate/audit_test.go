package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitgate-dev/gitgate/webhook/audit"
)

// writeAuditLog writes n denied records into dir/id/audit.log, signed by key.
func writeAuditLog(t *testing.T, dir, id string, key ed25519.PrivateKey, n int) string {
	t.Helper()
	path := filepath.Join(dir, id, "audit.log")
	l, err := audit.NewLog(t.Context(), audit.Options{Path: path, SigningKey: key, LogID: id, CheckpointEvery: 5})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Start(ctx) }()
	for i := range n {
		l.Record(audit.Record{User: audit.User{Username: "alice"}, Operation: "UPDATE", Name: "web-" + id,
			Namespace: "prod", GVK: audit.GVK{Group: "apps", Version: "v1", Kind: "Deployment"},
			Decision: audit.DecisionDenied, Reasons: []string{"spec.replicas: git has 3, request has " + string(rune('4'+i%5))}})
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAuditVerifyAndShow(t *testing.T) {
	dir := t.TempDir()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	writeAuditLog(t, dir, "pod-a", key, 8)
	b := writeAuditLog(t, dir, "pod-b", key, 3)
	pubFile := filepath.Join(dir, "audit.pub")
	if err := os.WriteFile(pubFile, key.Public().(ed25519.PublicKey), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runAuditVerify(t.Context(), &out, &verifyFlags{publicKey: pubFile}, []string{dir}); err != nil {
		t.Fatalf("verify intact logs: %v\n%s", err, out.String())
	}
	if got := strings.Count(out.String(), "intact"); got != 2 {
		t.Errorf("verify output:\n%s\nwant two intact logs", out.String())
	}

	data, _ := os.ReadFile(b)
	os.WriteFile(b, bytes.Replace(data, []byte("web-pod-b"), []byte("web-pod-c"), 1), 0o600)
	out.Reset()
	err := runAuditVerify(t.Context(), &out, &verifyFlags{publicKey: pubFile}, []string{dir})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out.String(), "edited seq 1 (") {
		t.Errorf("verify edited log = %v\n%s\nwant exit 1 and \"edited seq 1\"", err, out.String())
	}

	out.Reset()
	f := &showFlags{output: "table"}
	f.filter.Name = "web-pod-a"
	if err := runAuditShow(&out, &out, f, []string{dir}); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 9 || !strings.Contains(lines[1], "prod/web-pod-a") {
		t.Errorf("show table:\n%s\nwant a header and 8 rows of prod/web-pod-a", out.String())
	}
}

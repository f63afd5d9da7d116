package audit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitgate-dev/gitgate/webhook/audit"
)

// ExampleVerify writes three records, verifies the chain, then edits one line and
// shows how Verify reports it.
func ExampleVerify() {
	dir, err := os.MkdirTemp("", "audit")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "audit.log")

	log, err := audit.NewLog(context.Background(), audit.Options{Path: path})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error)
	go func() { stopped <- log.Start(ctx) }()
	for _, name := range []string{"web", "api", "db"} {
		log.Record(audit.Record{
			UID:       "uid-" + name,
			User:      audit.User{Username: "alice"},
			Operation: "UPDATE",
			GVK:       audit.GVK{Group: "apps", Version: "v1", Kind: "Deployment"},
			Namespace: "shop",
			Name:      name,
			Decision:  audit.DecisionDenied,
			Mode:      audit.ModeEnforce,
			Reasons:   []string{"spec.replicas differs from git"},
			Commit:    "4f2a9c1",
		})
	}
	cancel() // Start writes what is queued before it returns
	if err := <-stopped; err != nil {
		fmt.Println(err)
		return
	}

	report, err := audit.Verify(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d records, seq %d..%d\n", report.Records, report.First, report.Last)

	// Someone edits the second line by hand.
	b, _ := os.ReadFile(path)
	edited := strings.Replace(string(b), `"name":"api"`, `"name":"apx"`, 1)
	_ = os.WriteFile(path, []byte(edited), 0o600)

	_, err = audit.Verify(path)
	var ce *audit.ChainError
	if errors.As(err, &ce) {
		fmt.Printf("line %d (seq %d): %s\n", ce.Line, ce.Seq, ce.Reason)
	}
	// Output:
	// 3 records, seq 1..3
	// line 2 (seq 2): hash mismatch (line edited)
}

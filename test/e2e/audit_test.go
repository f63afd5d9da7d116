package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDenialIsAuditedOnceWithEvent(t *testing.T) {
	marker := "audit-" + time.Now().Format("150405.000000")
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "annotate", "deployment/nginx-deployment", "marker="+marker)
	denied(t, out, ok, "metadata.annotations.marker")
	var rec map[string]any
	eventually(t, 5*time.Second, func() string {
		n := 0
		for _, l := range auditLines(t) {
			if strings.Contains(l, marker) {
				n++
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					return err.Error()
				}
			}
		}
		if n != 1 {
			return "want exactly one audit line, got " + string(rune('0'+n))
		}
		return ""
	})
	for _, field := range []string{"time", "uid", "user", "operation", "gvk", "namespace", "name", "dryRun", "decision", "mode", "reasons", "drift", "commit", "source", "seq", "prev", "hash"} {
		if _, ok := rec[field]; !ok {
			t.Errorf("audit record lacks %q: %v", field, rec)
		}
	}
	if rec["decision"] != "denied" || rec["user"].(map[string]any)["username"] != "alice" {
		t.Errorf("unexpected record: %v", rec)
	}
	eventually(t, 30*time.Second, func() string {
		out, _ := kubectl(t, cp.Admin, "-n", "staging", "get", "events", "--field-selector", "reason=DriftDenied", "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}")
		if !strings.Contains(out, marker) {
			return "no DriftDenied event with the marker: " + out
		}
		return ""
	})
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	out, ok := kubectl(t, cp.Admin, "-n", "staging", "label", "configmap/nginx-config", "tamper=1")
	denied(t, out, ok)
	time.Sleep(300 * time.Millisecond)
	data, err := os.ReadFile(gg.AuditLog)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(copyPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(filepath.Dir(gg.Dir), "bin", "gitgate")
	if out, err := exec.Command(bin, "audit", "verify", copyPath).CombinedOutput(); err != nil {
		t.Fatalf("intact log does not verify: %v: %s", err, out)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if len(lines) < 3 {
		t.Fatalf("too few audit lines: %d", len(lines))
	}
	lines[1] = strings.Replace(lines[1], `"dryRun":false`, `"dryRun":true `, 1)
	lines[1] = strings.Replace(lines[1], `"alice"`, `"alicf"`, 1)
	if err := os.WriteFile(copyPath, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	out2, err := exec.Command(bin, "audit", "verify", copyPath).CombinedOutput()
	if err == nil || !strings.Contains(string(out2), "audit.log:2") {
		t.Fatalf("tampered line 2 not reported: %v: %s", err, out2)
	}
}

func TestMetricsAreExported(t *testing.T) {
	m, err := gg.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"gitgate_decisions_total{", `decision="denied"`, "gitgate_handler_duration_seconds_bucket", "gitgate_revision_info{commit=", "gitgate_git_last_fetch_timestamp_seconds", "gitgate_audit_records_written_total"} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

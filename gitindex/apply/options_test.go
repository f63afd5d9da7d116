package apply_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/gitgate-dev/gitgate/gitindex"
	"github.com/gitgate-dev/gitgate/gitindex/apply"
	"github.com/gitgate-dev/gitgate/webhook/drift"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*apply.Options)
		ok   bool
	}{
		{"defaults", func(*apply.Options) {}, true},
		{"zero value but the comparer", func(o *apply.Options) { *o = apply.Options{Comparer: o.Comparer} }, true},
		{"no comparer", func(o *apply.Options) { o.Comparer = nil }, false},
		{"negative wait", func(o *apply.Options) { o.WaitTimeout = -1 }, false},
		{"inventory name without namespace", func(o *apply.Options) { o.InventoryNamespace = "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := apply.DefaultOptions()
			o.Comparer = drift.New(nil)
			tt.edit(&o)
			if err := o.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
	if _, err := apply.New(nil, apply.DefaultOptions()); err == nil {
		t.Error("New(nil client) succeeded")
	}
}

func TestApplyError(t *testing.T) {
	k := gitindex.Key{Kind: "ConfigMap", Namespace: "a", Name: "b"}
	failed := apply.ObjectResult{Key: k, Action: apply.ActionFailed, Err: fs.ErrPermission}
	res := &apply.Result{Objects: []apply.ObjectResult{{Key: k, Action: apply.ActionCreated}, failed}}
	err := error(&apply.ApplyError{Commit: "0123456789", Failed: res.Failed(), Errs: []error{failed.Err}})
	if !errors.Is(err, fs.ErrPermission) || !strings.HasPrefix(err.Error(), "apply 0123456: 1 error(s)") {
		t.Errorf("err = %q, want it to name the commit and unwrap to its causes", err)
	}
	if got := res.Summary(); got != "1 created, 1 failed" {
		t.Errorf("Summary() = %q", got)
	}
}

package policy

import (
	"errors"
	"fmt"
	"time"
)

// Default values for Options. A zero field in Options means its default.
const (
	// DefaultDeadline bounds one evaluation. Rego only runs for requests that
	// already drifted, so it can afford far more than the microseconds a
	// typical exception needs, but never enough to hold the admission timeout.
	DefaultDeadline = 100 * time.Millisecond
	// DefaultMaxInputBytes caps the approximate JSON size of an Input; the API
	// server's own object limit is about 1.5 MiB, so 1 MiB keeps typical
	// objects (and their old and desired copies) well inside.
	DefaultMaxInputBytes = 1 << 20
)

// Options tunes Compile and the Engine it returns.
type Options struct {
	// Deadline is the budget of one Evaluate call; an evaluation that takes
	// longer returns an error (and so denies). Zero means DefaultDeadline.
	Deadline time.Duration
	// MaxInputBytes caps the approximate size of the JSON form of an Input;
	// a larger input is refused with ErrInputTooLarge before any Rego runs.
	// Zero means DefaultMaxInputBytes.
	MaxInputBytes int
	// DisableBuiltins leaves out the built-in default policies (see the
	// package documentation). The default, false, ships them.
	DisableBuiltins bool
}

// DefaultOptions returns the Options that Compile uses for zero fields.
func DefaultOptions() Options {
	return Options{Deadline: DefaultDeadline, MaxInputBytes: DefaultMaxInputBytes}
}

// Validate reports an invalid Options value; zero fields are valid and mean
// their defaults.
func (o Options) Validate() error {
	var errs []error
	if o.Deadline < 0 {
		errs = append(errs, fmt.Errorf("deadline %s is negative", o.Deadline))
	}
	if o.MaxInputBytes < 0 {
		errs = append(errs, fmt.Errorf("max input bytes %d is negative", o.MaxInputBytes))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid policy options: %w", err)
	}
	return nil
}

// withDefaults returns o with zero fields replaced by their defaults.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Deadline == 0 {
		o.Deadline = d.Deadline
	}
	if o.MaxInputBytes == 0 {
		o.MaxInputBytes = d.MaxInputBytes
	}
	return o
}

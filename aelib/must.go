package aelib

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Must ends the cell with err as one line on stderr when err is not nil (the
// program exits with status 1), so a bad setting or a missing file reads as a
// clear message, not a panic trace. Notebooks wrap calls in it, as GoMLX's
// notebooks use must.M:
//
//	aelib.Must(aelib.Setup())
func Must(err error) {
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "Error:", strings.ReplaceAll(err.Error(), "\n", " "))
	exit(1)
}

// Must1 returns v, or ends the cell like Must when err is not nil:
//
//	train, test := aelib.Must2(aelib.LoadMNIST())
//	ae := aelib.Must1(aelib.ReferenceAE())
func Must1[T any](v T, err error) T {
	Must(err)
	return v
}

// Must2 is Must1 for calls that return two values and an error.
func Must2[T, U any](v T, w U, err error) (T, U) {
	Must(err)
	return v, w
}

var exit = os.Exit // replaced in tests

// Error is an error of this package: what failed, with the cause. Its text
// starts with "aelib: ".
type Error struct {
	What string // the whole message, e.g. "epochs 0 invalid: must be 1..10000"
	Err  error  // the cause, if any (its text is part of What)
}

func (e *Error) Error() string { return "aelib: " + e.What }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errorf formats an *Error; a %w verb wraps its argument as the cause.
func errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Error{What: err.Error(), Err: errors.Unwrap(err)}
}

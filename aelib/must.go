package aelib

import (
	"fmt"
	"io"
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
	fmt.Fprintln(stderr, "Error:", strings.ReplaceAll(err.Error(), "\n", " "))
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

var (
	exit             = os.Exit   // replaced in tests
	stderr io.Writer = os.Stderr // replaced in tests
)

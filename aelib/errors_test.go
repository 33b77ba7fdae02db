package aelib

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

func TestErrorf(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		text  string
		op    string
		kind  error // what errors.Is must find as the kind; nil: none
		cause error // what errors.Is must find as the cause; nil: none
	}{
		{"plain", errorf(ErrInvalid, "epochs %d invalid: must be 1..%d", 0, 10000), "aelib: epochs 0 invalid: must be 1..10000", "", ErrInvalid, nil},
		{"operation", errorf(ErrInvalid, "kNN: k=%d invalid", 0), "aelib: kNN: k=0 invalid", "kNN", ErrInvalid, nil},
		{"%v is not wrapped", errorf(nil, "reading: %v", fs.ErrNotExist), "aelib: reading: file does not exist", "reading", nil, nil},
		{"%w", errorf(ErrCheckpoint, "checkpoint %s: %w", "x.ckpt", fs.ErrNotExist), "aelib: checkpoint x.ckpt: file does not exist", "", ErrCheckpoint, fs.ErrNotExist},
		{"%w deeper", errorf(ErrData, "loading: %w", fmt.Errorf("open: %w", fs.ErrPermission)), "aelib: loading: open: permission denied", "loading", ErrData, fs.ErrPermission},
		{"wrap", wrap(ErrBackend, "training x", fmt.Errorf("graph: %w", fs.ErrClosed)), "aelib: training x: graph: file already closed", "training x", ErrBackend, fs.ErrClosed},
	}
	kinds := []error{ErrInvalid, ErrData, ErrBackend, ErrCheckpoint}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := errors.AsType[*opError](tc.err)
			if !ok {
				t.Fatalf("got a %T, want *opError", tc.err)
			}
			if tc.err.Error() != tc.text || e.op != tc.op {
				t.Errorf("text %q, op %q; want %q, %q", tc.err, e.op, tc.text, tc.op)
			}
			for _, k := range kinds {
				if got := errors.Is(tc.err, k); got != (k == tc.kind) {
					t.Errorf("errors.Is(err, %v) = %v", k, got)
				}
			}
			if tc.cause != nil && !errors.Is(tc.err, tc.cause) {
				t.Errorf("errors.Is(%v, %v) = false", tc.err, tc.cause)
			}
			if tc.cause == nil && errors.Is(tc.err, fs.ErrNotExist) {
				t.Errorf("%v: a %%v argument became a cause", tc.err)
			}
		})
	}
	// An aelib error wrapped further is still found; wrap keeps it as it is.
	inner := errorf(ErrInvalid, "lr %v invalid", 2)
	if outer := fmt.Errorf("cell 3: %w", inner); !errors.Is(outer, ErrInvalid) {
		t.Errorf("errors.Is through fmt.Errorf: false")
	}
	if got := wrap(ErrBackend, "training", inner); got != inner {
		t.Errorf("wrap of an aelib error = %v, want it unchanged", got)
	}
	if wrap(ErrBackend, "x", nil) != nil {
		t.Error("wrap(nil) is not nil")
	}
}

func TestRunGraph(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name  string
		fn    func() error
		text  string
		cause error
	}{
		{"no error", func() error { return nil }, "", nil},
		{"error", func() error { return fmt.Errorf("compile: %w", fs.ErrInvalid) }, "aelib: building x: compile: invalid argument", fs.ErrInvalid},
		{"panic with an error", func() error { panic(fmt.Errorf("shape mismatch: %w", fs.ErrInvalid)) }, "aelib: building x: shape mismatch: invalid argument", fs.ErrInvalid},
		{"GoMLX's wrapped panic", func() error {
			panic(fmt.Errorf("model.Exec: building graph: function panicked: Add: shapes [3,5] and [1,784] differ\n\tstack trace...: %w", fs.ErrInvalid))
		}, "aelib: building x: Add: shapes [3,5] and [1,784] differ", fs.ErrInvalid},
		{"panic with a string", func() error { panic("boom") }, "aelib: building x: boom", nil},
		{"long", func() error { return errors.New(long) }, "aelib: building x: " + long[:200] + "…", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := runGraph("building x", tc.fn)
			if tc.text == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.text || !errors.Is(err, ErrBackend) {
				t.Fatalf("err = %v, want %q of kind ErrBackend", err, tc.text)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("the cause %v is lost", tc.cause)
			}
		})
	}
}

func TestGomlxMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb", "a"},
		{"outer: panicked: inner: panicked: the message\nstack", "the message"},
		{strings.Repeat("é", 201), strings.Repeat("é", 200) + "…"},
	} {
		if got := gomlxMessage(tc.in); got != tc.want {
			t.Errorf("gomlxMessage(%.30q) = %.30q, want %.30q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("backend \"xla\": auto-install of the PJRT plugin failed: GET github.com: no route"), true},
		{errors.New("dlopen: no such file"), false},
	} {
		if got := pluginMissing(tc.err); got != tc.want {
			t.Errorf("pluginMissing(%v) = %v", tc.err, got)
		}
	}
}

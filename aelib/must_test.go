package aelib

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

// exitCode replaces exit for the test and returns the code it was last
// called with (-1: not called).
func exitCode(t *testing.T) *int {
	t.Helper()
	code := -1
	orig := exit
	exit = func(c int) { code = c }
	t.Cleanup(func() { exit = orig })
	return &code
}

func TestMust(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantOut  string
		wantCode int
	}{
		{"nil", nil, "", -1},
		{"one line", errors.New("epochs 0 invalid"), "Error: epochs 0 invalid\n", 1},
		{"newlines flattened", errors.New("epochs 0 invalid:\nmust be ≥ 1\nsee the settings"), "Error: epochs 0 invalid: must be ≥ 1 see the settings\n", 1},
		{"aelib error", errorf("batch %d invalid: must be 1..%d", 0, 100), "Error: aelib: batch 0 invalid: must be 1..100\n", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code := exitCode(t)
			out := captureStderr(t, func() { Must(tc.err) })
			if out != tc.wantOut || *code != tc.wantCode {
				t.Errorf("Must(%v): stderr %q, exit %d; want %q, %d", tc.err, out, *code, tc.wantOut, tc.wantCode)
			}
		})
	}
}

func TestMust12(t *testing.T) {
	code := exitCode(t)
	if v := Must1(42, nil); v != 42 || *code != -1 {
		t.Errorf("Must1(42, nil) = %v, exit %d", v, *code)
	}
	if a, b := Must2("a", []int{1, 2}, nil); a != "a" || len(b) != 2 || *code != -1 {
		t.Errorf("Must2 = %v, %v, exit %d", a, b, *code)
	}
	out := captureStderr(t, func() { Must1(0, errors.New("no digits")) })
	if out != "Error: no digits\n" || *code != 1 {
		t.Errorf("Must1 with an error: stderr %q, exit %d", out, *code)
	}
	*code = -1
	out = captureStderr(t, func() { Must2(1, 2, errorf("no model")) })
	if out != "Error: aelib: no model\n" || *code != 1 {
		t.Errorf("Must2 with an error: stderr %q, exit %d", out, *code)
	}
}

func TestErrorf(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		text    string
		what    string
		wrapped error // what errors.Is must find; nil: no cause
	}{
		{"plain", errorf("epochs %d invalid: must be 1..%d", 0, 10000), "aelib: epochs 0 invalid: must be 1..10000", "epochs 0 invalid: must be 1..10000", nil},
		{"%v is not wrapped", errorf("reading: %v", fs.ErrNotExist), "aelib: reading: file does not exist", "reading: file does not exist", nil},
		{"%w", errorf("checkpoint %s: %w", "x.ckpt", fs.ErrNotExist), "aelib: checkpoint x.ckpt: file does not exist", "checkpoint x.ckpt: file does not exist", fs.ErrNotExist},
		{"%w deeper", errorf("loading: %w", fmt.Errorf("open: %w", fs.ErrPermission)), "aelib: loading: open: permission denied", "loading: open: permission denied", fs.ErrPermission},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e *Error
			if !errors.As(tc.err, &e) {
				t.Fatalf("errorf gave a %T, want *Error", tc.err)
			}
			if tc.err.Error() != tc.text || e.What != tc.what {
				t.Errorf("text %q, What %q; want %q, %q", tc.err, e.What, tc.text, tc.what)
			}
			if tc.wrapped == nil {
				if errors.Unwrap(tc.err) != nil {
					t.Errorf("cause %v, want none", errors.Unwrap(tc.err))
				}
			} else if !errors.Is(tc.err, tc.wrapped) {
				t.Errorf("errors.Is(%v, %v) = false", tc.err, tc.wrapped)
			}
		})
	}
	// An *Error wrapped further is still found.
	outer := fmt.Errorf("cell 3: %w", errorf("lr %v invalid", 2))
	var e *Error
	if !errors.As(outer, &e) || e.What != "lr 2 invalid" {
		t.Errorf("errors.As through fmt.Errorf: %v", e)
	}
}

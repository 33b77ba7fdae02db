package aelib

import (
	"errors"
	"os"
	"strings"
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

// stderrOf runs fn with Must's stderr captured.
func stderrOf(t *testing.T, fn func()) string {
	t.Helper()
	var b strings.Builder
	orig := stderr
	stderr = &b
	defer func() { stderr = orig }()
	fn()
	return b.String()
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
		{"aelib error", errorf(ErrInvalid, "batch %d invalid: must be 1..%d", 0, 100), "Error: aelib: batch 0 invalid: must be 1..100\n", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code := exitCode(t)
			out := stderrOf(t, func() { Must(tc.err) })
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
	out := stderrOf(t, func() { Must1(0, errors.New("no digits")) })
	if out != "Error: no digits\n" || *code != 1 {
		t.Errorf("Must1 with an error: stderr %q, exit %d", out, *code)
	}
	*code = -1
	out = stderrOf(t, func() { Must2(1, 2, errorf(nil, "no model")) })
	if out != "Error: aelib: no model\n" || *code != 1 {
		t.Errorf("Must2 with an error: stderr %q, exit %d", out, *code)
	}
}

func TestSetOutput(t *testing.T) {
	var b strings.Builder
	SetOutput(&b)
	printf("a %d\n", 1)
	SetOutput(nil) // silences
	printf("b\n")
	SetOutput(os.Stdout)
	if b.String() != "a 1\n" {
		t.Errorf("output %q, want %q", b.String(), "a 1\n")
	}
}

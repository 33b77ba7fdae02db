package aelib

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	code := -1
	exit = func(c int) { code = c }
	defer func() { exit = origExit }()
	Check(nil)
	if code != -1 {
		t.Fatalf("Check(nil) exited with %d", code)
	}
	Check(errors.New("epochs 0 invalid:\nmust be ≥ 1"))
	if code != 1 {
		t.Fatalf("Check(err) exit code %d, want 1", code)
	}
}

var origExit = exit

func TestVersions(t *testing.T) {
	v := Versions()
	for _, want := range []string{"Go:", "GoMLX:", "GoNB:", "go1."} {
		if !strings.Contains(v, want) {
			t.Errorf("Versions() lacks %q:\n%s", want, v)
		}
	}
}

func TestSetup(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "go")
	t.Setenv(QuickEnv, "1")
	if err := Setup(); err != nil {
		t.Fatal(err)
	}
	if BackendName() != "go" || !strings.HasPrefix(BackendLine(), "Backend: go") {
		t.Errorf("after Setup: %q, %q", BackendName(), BackendLine())
	}
}

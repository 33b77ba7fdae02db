package aelib

import (
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestVersions checks the lines' form. A test binary records no
// dependencies (debug.ReadBuildInfo's Deps is empty), so here the modules
// read "(not linked into this program)"; in a notebook they read v….
func TestVersions(t *testing.T) {
	v := Versions()
	lines := strings.Split(v, "\n")
	if len(lines) != 5 {
		t.Fatalf("Versions() has %d lines, want 5 (Go, GoMLX, compute, go-xla, GoNB):\n%s", len(lines), v)
	}
	if want := fmt.Sprintf("Go:      %s %s/%s, %d CPUs", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU()); lines[0] != want {
		t.Errorf("line 1 = %q, want %q", lines[0], want)
	}
	module := regexp.MustCompile(`^(GoMLX|compute|go-xla|GoNB): +(v\d+\.\d+\.\d+\S*( => \S+ \S*)?|\(not linked into this program\))$`)
	for i, label := range []string{"GoMLX", "compute", "go-xla", "GoNB"} {
		l := lines[i+1]
		if !strings.HasPrefix(l, fmt.Sprintf("%-8s ", label+":")) || !module.MatchString(l) {
			t.Errorf("line %d = %q, want %q, then a version or \"(not linked into this program)\"", i+2, l, label+":")
		}
	}
}

func TestSetup(t *testing.T) {
	t.Setenv(quickEnv, "1")
	var err error
	out := captureStdout(t, func() { err = Setup() })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "AELIB_QUICK=1: a reduced run for tests; training cells print the sizes they use.\n") {
		t.Errorf("Setup under %s=1 printed %q", quickEnv, out)
	}
	name := BackendName()
	if name != "xla" && name != "go" || !strings.HasPrefix(backendAnnouncement(), "Backend: "+name) {
		t.Errorf("after Setup: name %q, line %q", name, backendAnnouncement())
	}
	t.Setenv(quickEnv, "")
	if out := captureStdout(t, func() { err = Setup() }); err != nil || strings.Contains(out, quickEnv) {
		t.Errorf("Setup without %s: %q, %v", quickEnv, out, err)
	}

	// Outside the project Setup says where to open the notebooks.
	t.Setenv("GONB_DIR", "")
	t.Chdir(t.TempDir())
	err = Setup()
	if err == nil || !strings.Contains(err.Error(), "no go.mod of module "+modulePath) || !strings.Contains(err.Error(), "run `make lab` in the project root") {
		t.Errorf("Setup outside the project: %v", err)
	}
}

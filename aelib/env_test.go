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
	if len(lines) != 6 {
		t.Fatalf("Versions() has %d lines, want 6 (Go, GoMLX, compute, go-xla, GoNB, Tuning):\n%s", len(lines), v)
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
	t.Setenv(tuneEnv, "")
	if l, want := strings.Split(Versions(), "\n")[5], "Tuning:  "+defaultTuning(cpuKind()).String()+" (aelib's choice for this CPU, "; !strings.HasPrefix(l, want) {
		t.Errorf("line 6 = %q, want it to start with %q", l, want)
	}
	t.Setenv(tuneEnv, "0")
	if l := strings.Split(Versions(), "\n")[5]; l != "Tuning:  none (from AELIB_TUNE=0)" {
		t.Errorf("with AELIB_TUNE=0, line 6 = %q", l)
	}
}

func TestSetup(t *testing.T) {
	// Backend and LoadMNIST print nothing; Setup prints their lines.
	out := outputOf(t, func() {
		if _, err := Backend(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadMNIST(); err != nil {
			t.Fatal(err)
		}
	})
	if out != "" {
		t.Errorf("Backend and LoadMNIST printed %q", out)
	}
	for _, tc := range []struct {
		quick string
		lines int
	}{{"1", 3}, {"", 2}} {
		t.Setenv(quickEnv, tc.quick)
		var err error
		out := outputOf(t, func() { err = Setup() })
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if err != nil || len(lines) != tc.lines {
			t.Fatalf("Setup with %s=%q: %v, printed %q; want %d lines", quickEnv, tc.quick, err, out, tc.lines)
		}
		name := BackendName()
		if name != "xla" && name != "go" || !strings.HasPrefix(lines[0], "Backend: "+name) {
			t.Errorf("backend %q, line %q", name, lines[0])
		}
		if !regexp.MustCompile(`^MNIST: 60000 training and 10000 test digits \(.+\)$`).MatchString(lines[1]) {
			t.Errorf("data line %q", lines[1])
		}
		if tc.quick == "1" && lines[2] != "AELIB_QUICK=1: a reduced run for tests; training cells print the sizes they use." {
			t.Errorf("quick line %q", lines[2])
		}
	}
	var err error

	// Outside the project Setup says where to open the notebooks.
	t.Setenv("GONB_DIR", "")
	t.Chdir(t.TempDir())
	err = Setup()
	if err == nil || !strings.Contains(err.Error(), "no go.mod of module "+modulePath) || !strings.Contains(err.Error(), "run `make lab` in the project root") {
		t.Errorf("Setup outside the project: %v", err)
	}
}

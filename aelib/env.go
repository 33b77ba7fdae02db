package aelib

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Setup is the first call of every notebook, in its first code cell. It
// checks that the notebook runs inside this project, chooses the backend and
// loads MNIST, and prints one line for each: the backend (and, when XLA
// could not start, why), where the digits came from, and whether AELIB_QUICK
// reduces the work. The other functions of aelib print none of this.
func Setup() error {
	if _, err := projectRoot(); err != nil {
		return fmt.Errorf("%w: open the notebooks from the project's notebooks/ directory (run `make lab` in the project root)", err)
	}
	if _, err := Backend(); err != nil {
		return err
	}
	printf("%s\n", backendLine)
	train, test, err := LoadMNIST()
	if err != nil {
		return err
	}
	printf("MNIST: %d training and %d test digits (%s)\n", train.Len(), test.Len(), mnistSource)
	if isQuick() {
		printf("%s=1: a reduced run for tests; training cells print the sizes they use.\n", quickEnv)
	}
	return nil
}

// Versions returns one line per component the notebooks depend on: Go, the
// operating system, the CPU count, the versions of GoMLX, its compute
// backends and GoNB's UI package as built into this program, and the XLA
// settings aelib applies (see Backend).
// Taught in 00_setup.
func Versions() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Go:      %s %s/%s, %d CPUs\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	want := []struct{ label, path string }{
		{"GoMLX", "github.com/gomlx/gomlx"},
		{"compute", "github.com/gomlx/compute"},
		{"go-xla", "github.com/gomlx/go-xla"},
		{"GoNB", "github.com/janpfeifer/gonb"},
	}
	deps := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			v := d.Version
			if d.Replace != nil {
				v += " => " + d.Replace.Path + " " + d.Replace.Version
			}
			deps[d.Path] = v
		}
	}
	for _, w := range want {
		v, ok := deps[w.path]
		if !ok {
			v = "(not linked into this program)"
		}
		fmt.Fprintf(&b, "%-8s %s\n", w.label+":", v)
	}
	fmt.Fprintf(&b, "%-8s %s\n", "Tuning:", tuningLine())
	return strings.TrimRight(b.String(), "\n")
}

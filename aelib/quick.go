package aelib

import "os"

// quickEnv names the environment variable that shrinks the notebooks' work
// for tests: with AELIB_QUICK=1, training uses fewer epochs and images, and
// every notebook prints the values it actually used.
const quickEnv = "AELIB_QUICK"

// isQuick reports whether $AELIB_QUICK asks for a reduced run ("1" or "true").
func isQuick() bool {
	v := os.Getenv(quickEnv)
	return v == "1" || v == "true"
}

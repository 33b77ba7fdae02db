package aelib

import "os"

// QuickEnv names the environment variable that shrinks the notebooks' work
// for tests: with AELIB_QUICK=1, training uses fewer epochs and images, and
// every notebook prints the values it actually used.
const QuickEnv = "AELIB_QUICK"

// Quick reports whether $AELIB_QUICK asks for a reduced run ("1" or "true").
func Quick() bool {
	v := os.Getenv(QuickEnv)
	return v == "1" || v == "true"
}

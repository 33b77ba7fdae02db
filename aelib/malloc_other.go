//go:build !linux || !cgo

package aelib

// keepFreedMemory tunes glibc's malloc on Linux (malloc_linux.go); elsewhere
// it does nothing.
func keepFreedMemory() {}

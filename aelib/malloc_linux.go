//go:build linux && cgo

package aelib

/*
#include <malloc.h>
*/
import "C"

// keepFreedMemory makes glibc's malloc, which the XLA plugin allocates its
// buffers with, keep freed memory for the next training step instead of
// returning it to the system and faulting it in again: every step allocates
// new weights, optimizer state and activations (GoMLX does not update them in
// place) and frees the old ones. docs/performance.md measures the gain.
func keepFreedMemory() {
	C.mallopt(C.M_MMAP_THRESHOLD, 32<<20) // blocks up to 32 MiB (glibc's maximum) come from the heap, not mmap
	C.mallopt(C.M_TRIM_THRESHOLD, 1<<30)  // free heap memory goes back to the system only above 1 GiB
	C.mallopt(C.M_TOP_PAD, 64<<20)        // grow the heap 64 MiB at a time (address space, not memory, until used)
}

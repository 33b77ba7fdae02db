package aelib

import (
	"fmt"
	"io"
	"os"
	"sync"
)

var (
	outputMu sync.Mutex
	output   io.Writer = os.Stdout
)

// SetOutput sets where aelib writes its lines of text: Setup's, the training
// progress, the checkpoint messages and Record's claims. They go to os.Stdout
// unless it is changed; io.Discard silences them. Figures and the live loss
// chart go to the notebook, not to this writer.
func SetOutput(w io.Writer) {
	if w == nil {
		w = io.Discard
	}
	outputMu.Lock()
	output = w
	outputMu.Unlock()
}

// printf writes a line of text to the output SetOutput chose.
func printf(format string, args ...any) {
	outputMu.Lock()
	defer outputMu.Unlock()
	fmt.Fprintf(output, format, args...)
}

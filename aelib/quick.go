package aelib

import (
	"fmt"
	"os"
	"strings"
)

// quickEnv names the environment variable that shrinks the notebooks' work
// for tests: with AELIB_QUICK=1, training uses fewer epochs and images, and
// every notebook prints the values it actually used.
const quickEnv = "AELIB_QUICK"

// isQuick reports whether $AELIB_QUICK asks for a reduced run ("1" or "true").
func isQuick() bool {
	v := os.Getenv(quickEnv)
	return v == "1" || v == "true"
}

// quickImages, quickTest and quickEpochs bound a training under AELIB_QUICK=1.
const (
	quickImages = 2000
	quickTest   = 1000
	quickEpochs = 2
)

// quickRun applies AELIB_QUICK=1 to a training's data and settings: at most
// quickEpochs epochs on the first quickImages training and quickTest test
// images, a batch no larger than the data; it prints what it changed.
// Without AELIB_QUICK it returns them unchanged.
func quickRun(train, test *Digits, cfg Config) (*Digits, *Digits, Config) {
	if !isQuick() {
		return train, test, cfg
	}
	var changes []string
	if cfg.Epochs > quickEpochs {
		changes = append(changes, fmt.Sprintf("epochs %d→%d", cfg.Epochs, quickEpochs))
		cfg.Epochs = quickEpochs
	}
	if train.Len() > quickImages {
		changes = append(changes, fmt.Sprintf("training images %d→%d", train.Len(), quickImages))
		train = train.Head(quickImages)
	}
	if test != nil && test.Len() > quickTest {
		changes = append(changes, fmt.Sprintf("test images %d→%d", test.Len(), quickTest))
		test = test.Head(quickTest)
	}
	if cfg.Batch > train.Len() {
		changes = append(changes, fmt.Sprintf("batch %d→%d", cfg.Batch, train.Len()))
		cfg.Batch = train.Len()
	}
	if len(changes) > 0 {
		printf("%s=1: %s\n", quickEnv, strings.Join(changes, ", "))
	}
	return train, test, cfg
}

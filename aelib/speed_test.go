package aelib

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	benchmarks "github.com/janpfeifer/go-benchmarks"
)

// TestSpeed measures the reference autoencoder on every backend that starts
// here: inference time for 1,000 digits (go-benchmarks' table of mean,
// median and percentiles) and training throughput over two epochs of 20,000
// digits, batch 64, with and without the first step's compilation. It reports numbers and asserts none: speed is measured,
// never enforced. Run it with `make bench` (AELIB_BENCH=1).
func TestSpeed(t *testing.T) {
	if os.Getenv("AELIB_BENCH") == "" {
		t.Skip("measures speed; run with AELIB_BENCH=1 (make bench)")
	}
	train, test, err := LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	configs := []string{"go"}
	if p := projectPlugin(); p != "" {
		configs = append(configs, "xla:"+p)
	}
	x := test.X[:1000*Pixels]
	var fns []benchmarks.NamedFunction
	for _, cfg := range configs {
		b, err := safeNew(cfg)
		if err != nil {
			t.Logf("backend %s: %v", cfg, err)
			continue
		}
		name, _, _ := strings.Cut(cfg, ":")
		ae, err := ReferenceAE(b)
		if err != nil {
			t.Fatal(err)
		}
		// Warm throughput: from the end of the first step (which includes compiling) to the last.
		var first, last time.Time
		steps := 0
		cfg := Config{Epochs: 2, Batch: 64, LR: 1e-3, Seed: 1, Quiet: true, NoCurve: true,
			OnStep: func(_, step int, _ float64) {
				if step == 1 {
					first = time.Now()
				}
				last, steps = time.Now(), step
			}}
		h, err := ae.Fit(train.Head(20000), cfg)
		if err != nil {
			t.Fatal(err)
		}
		warm := float64((steps-1)*64) / last.Sub(first).Seconds()
		fmt.Printf("train %-4s 2 epochs of 20,000 digits, batch 64: %6.0f images/s warm, %6.0f with compiling; loss %.4f\n",
			name, warm, h.ImagesPerSecond, h.Final())
		fns = append(fns, benchmarks.NamedFunction{Name: fmt.Sprintf("reconstruct 1,000 digits (%s)", name), Func: func() {
			if _, err := ae.Reconstruct(x); err != nil {
				t.Fatal(err)
			}
		}})
	}
	benchmarks.New(fns...).WithWarmUps(2).Done()
}

package aelib

import (
	"fmt"
	"os"
	"testing"

	benchmarks "github.com/janpfeifer/go-benchmarks"
)

// TestSpeed measures the reference autoencoder on every backend that starts
// here: inference time for 1,000 digits (go-benchmarks' table of mean,
// median and percentiles) and training throughput over one epoch of 10,000
// digits, batch 64. It reports numbers and asserts none: speed is measured,
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
		name := b.Name()
		ae, err := ReferenceAE(b)
		if err != nil {
			t.Fatal(err)
		}
		h, err := ae.Fit(train.Head(10000), Config{Epochs: 1, Batch: 64, LR: 1e-3, Seed: 1, Quiet: true, NoCurve: true})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("train %-12s 10,000 digits, batch 64: %6.0f images/s (incl. compile), loss %.4f\n", name, h.ImagesPerSecond, h.Final())
		fns = append(fns, benchmarks.NamedFunction{Name: fmt.Sprintf("reconstruct 1,000 digits (%s)", name), Func: func() {
			if _, err := ae.Reconstruct(x); err != nil {
				t.Fatal(err)
			}
		}})
	}
	benchmarks.New(fns...).WithWarmUps(2).Done()
}

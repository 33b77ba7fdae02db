package aelib

import (
	"fmt"
	"os"
	"strings"
	"testing"

	benchmarks "github.com/janpfeifer/go-benchmarks"
)

// TestSpeed measures the reference autoencoder on every backend that starts
// here: training throughput with its Step, batch 64, on 10,000 digits, with
// the compilation and without it (the difference of a 3-epoch and a 1-epoch
// run: two epochs of steps alone), and inference time for 1,000 digits
// (go-benchmarks' table of mean, median and percentiles). It reports
// numbers and asserts none: speed is measured, never enforced. Run it with
// `make bench` (AELIB_BENCH=1).
func TestSpeed(t *testing.T) {
	if os.Getenv("AELIB_BENCH") != "1" {
		t.Skip("measures speed; run with AELIB_BENCH=1 (make bench)")
	}
	t.Setenv(checkpointEnv, t.TempDir())
	train, test := digits(t, 10000, 1000)
	configs := []string{"go"}
	if p := projectPlugin(); p != "" {
		configs = append(configs, "xla:"+p)
	} else {
		configs = append(configs, "xla:cpu")
	}
	var fns []benchmarks.NamedFunction
	for _, config := range configs {
		b, err := safeNew(config)
		if err != nil {
			fmt.Printf("backend %s: not measured (%s)\n", config, firstLine(err))
			continue
		}
		name, _, _ := strings.Cut(config, ":")
		// The reference AE, moved to backend b before its weights exist.
		onB := func() *AE {
			ae, err := ReferenceAE()
			if err != nil {
				t.Fatal(err)
			}
			ae.Backend = b
			return ae
		}
		var h [2]*History
		for i, epochs := range []int{1, 3} {
			ae := onB()
			if h[i], err = ae.Train(train, nil, Config{Epochs: epochs, Batch: 64, LR: 1e-3, Seed: 1, Quiet: true, NoCurve: true}, ae.Step); err != nil {
				t.Fatal(err)
			}
		}
		warm := float64(2*train.Len()) / (h[1].Seconds - h[0].Seconds)
		fmt.Printf("train %-4s 10,000 digits, batch 64: %6.0f images/s without compiling, %6.0f with (3 epochs); loss %.4f\n",
			name, warm, h[1].ImagesPerSecond(), h[1].Final())
		ae := onB()
		fns = append(fns, benchmarks.NamedFunction{Name: fmt.Sprintf("reconstruct 1,000 digits (%s)", name), Func: func() {
			if _, err := ae.Reconstruct(test.X); err != nil {
				t.Fatal(err)
			}
		}})
	}
	benchmarks.New(fns...).WithWarmUps(2).Done()
}

package aelib

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	benchmarks "github.com/janpfeifer/go-benchmarks"
)

// Settings of TestSpeed, from the environment (make bench sets them through
// .ci/bench/bench.py; the defaults are the reference measurement).
const (
	benchEnv        = "AELIB_BENCH"         // "1": run TestSpeed
	benchJSONEnv    = "AELIB_BENCH_JSON"    // file to append one JSON object per measurement to
	benchImagesEnv  = "AELIB_BENCH_IMAGES"  // training digits (default 20,000)
	benchEpochsEnv  = "AELIB_BENCH_EPOCHS"  // warm epochs timed per repeat (default 2)
	benchRepeatsEnv = "AELIB_BENCH_REPEATS" // repeats per backend and batch (default 5; 3 on the Go backend)
	benchBatchesEnv = "AELIB_BENCH_BATCHES" // comma-separated batch sizes (default "64,256")
	benchBackendEnv = "AELIB_BENCH_BACKENDS"
)

// benchSettings are TestSpeed's sizes.
type benchSettings struct {
	images, epochs, repeats int
	batches                 []int
	backends                []string // "xla", "go"
	json                    string
}

// readBenchSettings reads the AELIB_BENCH_* variables, failing the test on
// a bad value.
func readBenchSettings(t *testing.T) benchSettings {
	t.Helper()
	s := benchSettings{images: 20000, epochs: 2, repeats: 0, batches: []int{64, 256},
		backends: []string{"xla", "go"}, json: os.Getenv(benchJSONEnv)}
	num := func(env string, dst *int, lo int) {
		v := os.Getenv(env)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo {
			t.Fatalf("%s=%q invalid: must be an integer ≥ %d", env, v, lo)
		}
		*dst = n
	}
	num(benchImagesEnv, &s.images, 1)
	num(benchEpochsEnv, &s.epochs, 1)
	num(benchRepeatsEnv, &s.repeats, 1)
	if v := os.Getenv(benchBatchesEnv); v != "" {
		s.batches = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > s.images {
				t.Fatalf("%s=%q invalid: batch sizes must be integers in 1..%d, comma-separated", benchBatchesEnv, v, s.images)
			}
			s.batches = append(s.batches, n)
		}
	}
	if v := os.Getenv(benchBackendEnv); v != "" {
		s.backends = nil
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f != "xla" && f != "go" {
				t.Fatalf("%s=%q invalid: a comma-separated list of xla and go", benchBackendEnv, v)
			}
			s.backends = append(s.backends, f)
		}
	}
	return s
}

// benchRecord is one line of $AELIB_BENCH_JSON: a training measurement
// (Kind "train"), an evaluation (Kind "eval") or a backend that did not
// start (Kind "skip").
type benchRecord struct {
	Kind      string    `json:"kind"`
	Framework string    `json:"framework"` // "gomlx-xla" or "gomlx-go"
	Backend   string    `json:"backend"`   // the backend's description
	Batch     int       `json:"batch,omitempty"`
	Images    int       `json:"images,omitempty"`
	Epochs    int       `json:"epochs,omitempty"`
	Rate      float64   `json:"images_per_s,omitempty"` // median warm images/s over the repeats
	Spread    float64   `json:"spread"`                 // max − min of the repeats' images/s
	Runs      []float64 `json:"runs,omitempty"`         // warm images/s of each repeat
	Compile   float64   `json:"compile_s,omitempty"`    // median first-epoch overhead: compilation and warm-up
	Loss      float64   `json:"loss,omitempty"`         // median last-epoch loss
	EvalFirst float64   `json:"eval_first_s,omitempty"` // first MSE of the test digits: compilation included
	Eval      float64   `json:"eval_s,omitempty"`       // median warm MSE of the test digits
	Note      string    `json:"note,omitempty"`
}

// TestSpeed measures the reference autoencoder (784-256-128-64-2 Tanh,
// decoder 2-64-128-256-784 Tanh/Sigmoid, Adam lr 1e-3, per-pixel MSE) on
// every GoMLX backend that starts here, trained with its Step through
// Train, as the notebooks train it. For each batch size and repeat it
// trains a fresh model for 1+epochs epochs on the first images training
// digits (see timeTraining): the last epochs give the warm images/s (steps
// alone), the first one its overhead (compilation, first calls); the median
// and the range over the repeats are reported. Then it times the MSE of the
// 10,000 test digits: the first call (compiling) and warm calls
// (go-benchmarks' table of mean, median and percentiles). It prints and,
// with $AELIB_BENCH_JSON, records numbers; it asserts none: speed is
// measured, never enforced. Run it with `make bench` (AELIB_BENCH=1).
func TestSpeed(t *testing.T) {
	if os.Getenv(benchEnv) != "1" {
		t.Skip("measures speed; run with AELIB_BENCH=1 (make bench)")
	}
	s := readBenchSettings(t)
	t.Setenv(checkpointEnv, t.TempDir())
	all, test := digits(t, 60000, 10000)
	if s.images > all.Len() {
		t.Fatalf("%s=%d invalid: MNIST has %d training digits", benchImagesEnv, s.images, all.Len())
	}
	train := all.Head(s.images)
	emit := func(r benchRecord) {
		if s.json == "" {
			return
		}
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(s.json, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Write(append(line, '\n')); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Printf("reference AE on %d training digits, %d warm epochs per repeat; MSE of %d test digits\n",
		train.Len(), s.epochs, test.Len())

	var fns []benchmarks.NamedFunction
	var evals []*benchRecord
	for _, name := range s.backends {
		config := name
		newB := func() (compute.Backend, error) { return safeNew(config) }
		if name == "xla" {
			config = "xla:cpu"
			if p := projectPlugin(); p != "" {
				config = "xla:" + p
				newB = func() (compute.Backend, error) { return newProjectXLA(p) } // as Backend does
			}
		}
		framework := "gomlx-" + name
		b, err := newB()
		if err != nil {
			fmt.Printf("backend %s: not measured (%s)\n", config, firstLine(err))
			emit(benchRecord{Kind: "skip", Framework: framework, Backend: config, Note: firstLine(err)})
			continue
		}
		desc := b.Description()
		// The reference AE, moved to backend b before its weights exist.
		onB := func() *AE {
			ae, err := ReferenceAE()
			if err != nil {
				t.Fatal(err)
			}
			ae.Backend = b
			return ae
		}
		repeats := s.repeats
		if repeats == 0 {
			repeats = 5
			if name == "go" {
				repeats = 3 // about 10× slower than XLA
			}
		}
		for _, batch := range s.batches {
			var rates, overheads, losses []float64
			for range repeats {
				rate, overhead, loss := timeTraining(t, onB(), train, test.Head(1), batch, s.epochs)
				rates = append(rates, rate)
				overheads = append(overheads, overhead)
				losses = append(losses, loss)
			}
			r := benchRecord{Kind: "train", Framework: framework, Backend: desc, Batch: batch, Images: train.Len(),
				Epochs: s.epochs, Rate: median(rates), Spread: slices.Max(rates) - slices.Min(rates), Runs: rates,
				Compile: median(overheads), Loss: median(losses)}
			fmt.Printf("train %-9s batch %3d: %6.0f images/s warm (median of %d, range %.0f–%.0f), first-epoch overhead %.2fs, loss %.4f\n",
				framework, batch, r.Rate, repeats, slices.Min(rates), slices.Max(rates), r.Compile, r.Loss)
			emit(r)
		}
		last := onB() // its weights drawn on first use: evaluation costs the same for any weights
		start := time.Now()
		if _, err := last.MSE(test); err != nil {
			t.Fatal(err)
		}
		ev := &benchRecord{Kind: "eval", Framework: framework, Backend: desc, Images: test.Len(),
			EvalFirst: time.Since(start).Seconds()}
		evals = append(evals, ev)
		fmt.Printf("eval  %-9s %d test digits: first call %.3fs (compilation included)\n", framework, test.Len(), ev.EvalFirst)
		var times []float64
		fns = append(fns, benchmarks.NamedFunction{
			Name: fmt.Sprintf("MSE of %d test digits (%s)", test.Len(), framework),
			Func: func() {
				start := time.Now()
				if _, err := last.MSE(test); err != nil {
					t.Fatal(err)
				}
				times = append(times, time.Since(start).Seconds())
				ev.Eval = median(times[min(warmUps, len(times)-1):]) // the calls after go-benchmarks' warm-ups
			}})
	}
	if len(fns) > 0 {
		benchmarks.New(fns...).WithWarmUps(warmUps).Done()
	}
	for _, ev := range evals {
		emit(*ev)
	}
}

// timeTraining trains ae for 1+epochs epochs of batch images and returns
// the warm throughput of the last epochs (images/s, History's
// WarmImagesPerSecond), the overhead of the first epoch over a warm one
// (compilation, first calls; seconds) and the loss of the last epoch.
func timeTraining(t *testing.T, ae *AE, train, probe *Digits, batch, epochs int) (rate, overhead, loss float64) {
	t.Helper()
	ae.TestError = nil // only the steps are timed
	cfg := Config{Epochs: 1 + epochs, Batch: batch, LR: 1e-3, Seed: 1, Quiet: true, NoCurve: true}
	h, err := ae.Train(train, probe, cfg, ae.Step)
	if err != nil {
		t.Fatal(err)
	}
	rate = h.WarmImagesPerSecond()
	return rate, h.EpochSeconds[0] - float64(train.Len())/rate, h.Final()
}

// warmUps is how many calls go-benchmarks makes before timing.
const warmUps = 2

// median returns the median of xs (the mean of the middle two for an even
// count); xs is not modified.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

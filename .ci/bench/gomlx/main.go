// Command gomlx measures the speed of the lecture's reference autoencoder
// (784-256-128-64-2 Tanh, decoder 2-64-128-256-784 Tanh/Sigmoid, Adam lr
// 1e-3, per-pixel MSE) on GoMLX's backends, trained with its Step through
// Train, as the notebooks train it. `make bench` runs it (.ci/bench/bench.py,
// part gomlx) from the project root, where aelib finds the project:
//
//	go run ./.ci/bench/gomlx [-images N] [-epochs N] [-repeats N] [-batches 64,256] [-backends xla,go] [-json FILE]
//
// For each backend, batch size and repeat it trains a fresh model for
// 1+epochs epochs on the first images training digits: the last epochs give
// the warm images/s (steps alone), the first one its overhead (compilation,
// first calls); the median and the range over the repeats are reported. Then
// it times the MSE of the 10,000 test digits: the first call (compiling) and
// warm calls (go-benchmarks' table of mean, median and percentiles). It
// prints the numbers and, with -json, appends one JSON object per
// measurement to FILE; it asserts none: speed is measured, never enforced.
//
// The backend "xla" is the one aelib.Backend chooses when $GOMLX_BACKEND is
// unset (the plugin of `make xla`, tuned as the notebooks run it, else
// GoMLX's own CPU plugin); "go" is GoMLX's pure Go backend. A backend that
// does not start is reported and skipped. Exit status 2 means a bad flag, 1
// a failed measurement.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aelecture/autoencoder-go/aelib"
	"github.com/gomlx/compute"
	benchmarks "github.com/janpfeifer/go-benchmarks"
)

func main() {
	s, err := parseSettings(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench gomlx:", err)
		os.Exit(2)
	}
	if err := measure(s); err != nil {
		fmt.Fprintln(os.Stderr, "bench gomlx:", err)
		os.Exit(1)
	}
}

// settings are the sizes of a measurement.
type settings struct {
	images, epochs, repeats int
	batches                 []int
	backends                []string // "xla", "go"
	json                    string   // file to append records to, or ""
}

// parseSettings reads the command line; a bad value is an error naming it
// and what is valid.
func parseSettings(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("bench gomlx", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; -help prints the flags
	var s settings
	fs.IntVar(&s.images, "images", 20000, "training digits")
	fs.IntVar(&s.epochs, "epochs", 2, "warm epochs timed per repeat")
	fs.IntVar(&s.repeats, "repeats", 0, "repeats per backend and batch size (0: 5, and 3 on the Go backend)")
	batches := fs.String("batches", "64,256", "comma-separated batch sizes")
	backends := fs.String("backends", "xla,go", "comma-separated backends: xla, go")
	fs.StringVar(&s.json, "json", "", "file to append one JSON object per measurement to")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fs.PrintDefaults()
		}
		return s, err
	}
	if fs.NArg() > 0 {
		return s, fmt.Errorf("argument %q invalid: the settings are flags (see -help)", fs.Arg(0))
	}
	for _, v := range []struct {
		name   string
		n, min int
	}{{"images", s.images, 1}, {"epochs", s.epochs, 1}, {"repeats", s.repeats, 0}} {
		if v.n < v.min {
			return s, fmt.Errorf("-%s %d invalid: must be an integer ≥ %d", v.name, v.n, v.min)
		}
	}
	for _, f := range strings.Split(*batches, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > s.images {
			return s, fmt.Errorf("-batches %q invalid: batch sizes must be integers in 1..%d (the images), comma-separated", *batches, s.images)
		}
		s.batches = append(s.batches, n)
	}
	for _, f := range strings.Split(*backends, ",") {
		f = strings.TrimSpace(f)
		if f != "xla" && f != "go" {
			return s, fmt.Errorf("-backends %q invalid: a comma-separated list of xla and go", *backends)
		}
		s.backends = append(s.backends, f)
	}
	return s, nil
}

// record is one line of the -json file: a training measurement (Kind
// "train"), an evaluation (Kind "eval") or a backend that did not start
// (Kind "skip"). bench.py reads them with the records of PyTorch and JAX.
type record struct {
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

// warmUps is how many calls go-benchmarks makes before timing.
const warmUps = 2

// measure runs the measurements of s on each backend.
func measure(s settings) error {
	// aelib.Backend follows $GOMLX_BACKEND when set: "xla" here is its own choice.
	os.Unsetenv(compute.ConfigEnvVar)
	ckpt, err := os.MkdirTemp("", "bench-gomlx-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(ckpt)
	os.Setenv("AELIB_CHECKPOINTS", ckpt) // nothing lands in the project's .checkpoints/
	if slices.Contains(s.backends, "xla") {
		// Setup starts aelib.Backend and prints its choice: why XLA did not start, when it did not.
		if err := aelib.Setup(); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	all, test, err := aelib.LoadMNIST()
	if err != nil {
		return err
	}
	if s.images > all.Len() {
		return fmt.Errorf("-images %d invalid: MNIST has %d training digits", s.images, all.Len())
	}
	train := all.Head(s.images)
	emit := func(r record) error {
		if s.json == "" {
			return nil
		}
		return appendJSON(s.json, r)
	}
	// The XLA settings aelib applies here (Versions' last line): bench.py reports them.
	if _, tuning, ok := strings.Cut(aelib.Versions(), "\nTuning:"); ok && slices.Contains(s.backends, "xla") {
		tuning = strings.TrimSpace(tuning)
		fmt.Println("XLA settings:", tuning)
		if err := emit(record{Kind: "info", Framework: "gomlx-xla", Note: tuning}); err != nil {
			return err
		}
	}
	fmt.Printf("reference AE on %d training digits, %d warm epochs per repeat; MSE of %d test digits\n",
		train.Len(), s.epochs, test.Len())

	var fns []benchmarks.NamedFunction
	var evals []*record
	var evalErr error
	for _, name := range s.backends {
		framework := "gomlx-" + name
		b, err := start(name)
		if err != nil {
			fmt.Printf("backend %s: not measured (%v)\n", name, err)
			if err := emit(record{Kind: "skip", Framework: framework, Backend: name, Note: err.Error()}); err != nil {
				return err
			}
			continue
		}
		desc := b.Description()
		// The reference AE, moved to backend b before its weights exist.
		onB := func() (*aelib.AE, error) {
			ae, err := aelib.ReferenceAE()
			if err != nil {
				return nil, err
			}
			ae.Backend = b
			return ae, nil
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
				ae, err := onB()
				if err != nil {
					return err
				}
				rate, overhead, loss, err := timeTraining(ae, train, test.Head(1), batch, s.epochs)
				if err != nil {
					return fmt.Errorf("%s, batch %d: %w", framework, batch, err)
				}
				rates = append(rates, rate)
				overheads = append(overheads, overhead)
				losses = append(losses, loss)
			}
			r := record{Kind: "train", Framework: framework, Backend: desc, Batch: batch, Images: train.Len(),
				Epochs: s.epochs, Rate: median(rates), Spread: slices.Max(rates) - slices.Min(rates), Runs: rates,
				Compile: median(overheads), Loss: median(losses)}
			fmt.Printf("train %-9s batch %3d: %6.0f images/s warm (median of %d, range %.0f–%.0f), first-epoch overhead %.2fs, loss %.4f\n",
				framework, batch, r.Rate, repeats, slices.Min(rates), slices.Max(rates), r.Compile, r.Loss)
			if err := emit(r); err != nil {
				return err
			}
		}
		last, err := onB() // its weights drawn on first use: evaluation costs the same for any weights
		if err != nil {
			return err
		}
		start := time.Now()
		if _, err := last.MSE(test); err != nil {
			return fmt.Errorf("%s: MSE of the test digits: %w", framework, err)
		}
		ev := &record{Kind: "eval", Framework: framework, Backend: desc, Images: test.Len(),
			EvalFirst: time.Since(start).Seconds()}
		evals = append(evals, ev)
		fmt.Printf("eval  %-9s %d test digits: first call %.3fs (compilation included)\n", framework, test.Len(), ev.EvalFirst)
		var times []float64
		fns = append(fns, benchmarks.NamedFunction{
			Name: fmt.Sprintf("MSE of %d test digits (%s)", test.Len(), framework),
			Func: func() {
				start := time.Now()
				if _, err := last.MSE(test); err != nil {
					evalErr = fmt.Errorf("%s: MSE of the test digits: %w", framework, err)
					return
				}
				times = append(times, time.Since(start).Seconds())
				ev.Eval = median(times[min(warmUps, len(times)-1):]) // the calls after go-benchmarks' warm-ups
			}})
	}
	if len(fns) > 0 {
		benchmarks.New(fns...).WithWarmUps(warmUps).Done()
	}
	if evalErr != nil {
		return evalErr
	}
	for _, ev := range evals {
		if err := emit(*ev); err != nil {
			return err
		}
	}
	return nil
}

// start returns the backend name: "xla" as aelib.Backend chooses it, or
// GoMLX's pure Go backend for "go".
func start(name string) (compute.Backend, error) {
	if name == "go" {
		return compute.NewWithConfig("go")
	}
	b, err := aelib.Backend()
	if err != nil {
		return nil, err
	}
	if got := aelib.BackendName(); got != "xla" {
		return nil, fmt.Errorf("XLA did not start here: aelib.Backend fell back to %s (its Backend: line above says why)", got)
	}
	return b, nil
}

// timeTraining trains ae for 1+epochs epochs of batch images and returns
// the warm throughput of the last epochs (images/s, History's
// WarmImagesPerSecond), the overhead of the first epoch over a warm one
// (compilation, first calls; seconds) and the loss of the last epoch.
func timeTraining(ae *aelib.AE, train, probe *aelib.Digits, batch, epochs int) (rate, overhead, loss float64, err error) {
	ae.TestError = nil // only the steps are timed
	cfg := aelib.Config{Epochs: 1 + epochs, Batch: batch, LR: 1e-3, Seed: 1, Quiet: true, NoCurve: true}
	h, err := ae.Train(train, probe, cfg, ae.Step)
	if err != nil {
		return 0, 0, 0, err
	}
	rate = h.WarmImagesPerSecond()
	return rate, h.EpochSeconds[0] - float64(train.Len())/rate, h.Final(), nil
}

// appendJSON appends v to the file at path as one line of JSON.
func appendJSON(path string, v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("-json: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("-json %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("-json %s: %w", path, err)
	}
	return nil
}

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

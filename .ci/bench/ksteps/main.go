// Command ksteps measures whether running K training steps of the lecture's
// reference autoencoder (784-256-128-64-2 Tanh, decoder 2-64-128-256-784
// Tanh/Sigmoid, Adam lr 1e-3, per-pixel MSE, aelib.AE.Step) inside ONE XLA
// executable beats one call per step, as JAX users do with lax.fori_loop.
// Run it from the repository root, after `make xla` installed the plugin in
// .xla/ (aelib.Backend then picks it, tuned as the notebooks run it):
//
//	go run ./.ci/bench/ksteps [-images N] [-epochs N] [-batches 64,256] [-ks 1,8,32]
//	    [-variants while,unrolled] [-rounds 3] [-check N] [-json FILE]
//
// Every executable takes all training images [N,784] and their labels [N]
// (sent to the device once, as aelib/loop.go does) and the indices of K
// batches [K,B,1] (int32), gathers each batch in the graph, runs K steps
// (forward, gradient, Adam update) and returns the K losses [K]:
//
//   - K = 1 ("single"): one call per step, the executable of aelib/loop.go;
//   - "while": graph.While over the K steps. Its loop state is a step counter,
//     the loss vector and every variable the step uses (weights, Adam's
//     moments and step counters, the learning rate). All K steps run in the
//     loop body: a step built in the main function first would leave
//     constants and reduction closures there that the body cannot use on
//     XLA (see whileStep). It needs XLA: GoMLX's Go backend lacks
//     DynamicSlice;
//   - "unrolled": the step written K times into one graph, each on its own
//     batch, the variables chaining from one step to the next.
//
// First (-check steps, 0 to skip) it checks that each K-step executable gives
// the losses and final variables of the same number of single steps on the
// same indices, from the same weights. Then it measures the warm training
// throughput as .ci/bench/gomlx does: for each configuration (variant, K,
// batch) a fresh model trains 1+epochs epochs over the first -images
// training digits, the loss of every step read back to the host (for K > 1:
// K losses at once, once per call); the last epochs give the warm images/s,
// the first its overhead over a warm epoch (compilation, first calls). An
// epoch of N digits has ceil(N/B) steps: groups of K full batches run in the
// K-step executable, the full batches left over and the last, smaller batch
// in the single-step one. Because this machine's speed drifts, the
// configurations run in rounds, each round every configuration once in a
// rotated order; each is reported with its ratio to K=1 at the same batch in
// the same round (only when -ks includes 1), then the median over rounds.
//
// With -json, one JSON object per check and per measurement and round is
// appended to FILE. Speed is measured, never enforced. Exit status 2 means a
// bad flag, 1 a failed check or measurement.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aelecture/autoencoder-go/aelib"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

func main() {
	s, err := parseSettings(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench ksteps:", err)
		os.Exit(2)
	}
	if err := measure(s); err != nil {
		fmt.Fprintln(os.Stderr, "bench ksteps:", err)
		os.Exit(1)
	}
}

// Variants of the K-step executable; K = 1 is always variantSingle.
const (
	variantSingle   = "single"
	variantWhile    = "while"
	variantUnrolled = "unrolled"
)

// settings are the sizes of a measurement.
type settings struct {
	images, epochs, rounds, check int
	batches, ks                   []int
	variants                      []string // variantWhile, variantUnrolled
	json                          string   // file to append records to, or ""
}

// parseSettings reads the command line; a bad value is an error naming it
// and what is valid.
func parseSettings(args []string, stderr io.Writer) (settings, error) {
	fs := flag.NewFlagSet("bench ksteps", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; -help prints the flags
	var s settings
	fs.IntVar(&s.images, "images", 20000, "training digits")
	fs.IntVar(&s.epochs, "epochs", 2, "warm epochs timed per measurement")
	fs.IntVar(&s.rounds, "rounds", 3, "rounds; each runs every configuration once")
	fs.IntVar(&s.check, "check", 64, "steps of the correctness check of each K-step executable (0: no check)")
	batches := fs.String("batches", "64,256", "comma-separated batch sizes")
	ks := fs.String("ks", "1,8,32", "comma-separated steps per call (1: one call per step, the baseline)")
	variants := fs.String("variants", "while,unrolled", "comma-separated K-step executables: while, unrolled")
	fs.StringVar(&s.json, "json", "", "file to append one JSON object per check and per measurement and round to")
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
	}{{"images", s.images, 1}, {"epochs", s.epochs, 1}, {"rounds", s.rounds, 1}, {"check", s.check, 0}} {
		if v.n < v.min {
			return s, fmt.Errorf("-%s %d invalid: must be an integer ≥ %d", v.name, v.n, v.min)
		}
	}
	var err error
	if s.batches, err = intList(*batches, 1, s.images); err != nil {
		return s, fmt.Errorf("-batches %q invalid: batch sizes must be integers in 1..%d (the images), comma-separated", *batches, s.images)
	}
	if s.ks, err = intList(*ks, 1, 1024); err != nil {
		return s, fmt.Errorf("-ks %q invalid: steps per call must be integers in 1..1024, comma-separated", *ks)
	}
	for _, f := range strings.Split(*variants, ",") {
		f = strings.TrimSpace(f)
		if f != variantWhile && f != variantUnrolled {
			return s, fmt.Errorf("-variants %q invalid: a comma-separated list of %s and %s", *variants, variantWhile, variantUnrolled)
		}
		if !slices.Contains(s.variants, f) {
			s.variants = append(s.variants, f)
		}
	}
	for _, b := range s.batches {
		for _, k := range s.ks {
			if full := s.images / b; k > 1 && k > full {
				return s, fmt.Errorf("-ks %q invalid with -batches %q and -images %d: K=%d exceeds the number of full batches of %d in an epoch, %d",
					*ks, *batches, s.images, k, b, full)
			}
		}
	}
	return s, nil
}

// intList parses comma-separated integers in lo..hi, sorted, without repeats.
func intList(s string, lo, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < lo || n > hi {
			return nil, errors.New("invalid")
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// record is one line of the -json file: a measurement of one configuration in
// one round (Kind "ksteps") or the correctness check of a K-step executable
// (Kind "ksteps-check").
type record struct {
	Kind      string   `json:"kind"`
	Variant   string   `json:"variant"` // "single" (K=1), "while" or "unrolled"
	K         int      `json:"k"`
	Batch     int      `json:"batch"`
	Round     int      `json:"round,omitempty"`
	Images    int      `json:"images,omitempty"`
	Epochs    int      `json:"epochs,omitempty"`
	Rate      float64  `json:"images_per_s,omitempty"`      // warm images/s of the last epochs
	Ratio     float64  `json:"ratio_to_k1,omitempty"`       // Rate / K=1's Rate at the same batch in the same round
	Compile   float64  `json:"compile_s,omitempty"`         // first-epoch overhead over a warm epoch: compilation, first calls
	FirstCall float64  `json:"first_call_s,omitempty"`      // first call of the K-step executable (K=1: single-step), compilation included
	Loss      float64  `json:"loss,omitempty"`              // mean loss of the last epoch
	InK       float64  `json:"steps_in_k,omitempty"`        // share of an epoch's steps run by the K-step executable
	CallRate  float64  `json:"call_images_per_s,omitempty"` // warm images/s of the K-step calls alone (K=1: full-batch single steps)
	CallRatio float64  `json:"call_ratio_to_k1,omitempty"`  // CallRate / K=1's CallRate at the same batch in the same round
	RSS       float64  `json:"rss_mib,omitempty"`           // the process's resident memory after the measurement
	Steps     int      `json:"steps,omitempty"`             // check: steps compared
	LossDiff  *float64 `json:"max_rel_loss_diff,omitempty"` // check: max |a-b|/|a| over the losses
	VarDiff   *float64 `json:"max_rel_var_diff,omitempty"`  // check: max over variables of max|a-b| / max|a|
	Backend   string   `json:"backend"`
	Note      string   `json:"note,omitempty"`
}

// config is one measured configuration.
type config struct {
	variant   string
	k, batch  int
	failed    error // set when it failed: not measured in later rounds
	rates     []float64
	ratios    []float64
	callRates []float64 // of the K-step calls alone
	callRatio []float64
	overheads []float64
	first     []float64 // first call of its main executable
}

func (c *config) String() string {
	return fmt.Sprintf("%-8s K=%-2d batch %3d", c.variant, c.k, c.batch)
}

// data is the training set on the device, shared by every model.
type data struct {
	images, labels *tensors.Tensor
	n              int
}

// measure runs the checks and the rounds of measurements of s.
func measure(s settings) error {
	os.Unsetenv(compute.ConfigEnvVar) // aelib.Backend's own choice: the plugin of `make xla`
	if err := aelib.Setup(); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	b, err := aelib.Backend()
	if err != nil {
		return err
	}
	if got := aelib.BackendName(); got != "xla" {
		fmt.Printf("note: XLA did not start, measuring on %s (its Backend: line above says why)\n", got)
	}
	desc := b.Description()
	all, _, err := aelib.LoadMNIST()
	if err != nil {
		return err
	}
	if s.images > all.Len() {
		return fmt.Errorf("-images %d invalid: MNIST has %d training digits", s.images, all.Len())
	}
	train := all.Head(s.images)
	d, err := upload(b, train)
	if err != nil {
		return err
	}
	defer d.images.FinalizeAll()
	defer d.labels.FinalizeAll()
	emit := func(r record) error {
		if s.json == "" {
			return nil
		}
		r.Backend = desc
		return appendJSON(s.json, r)
	}

	failed := false
	if s.check > 0 {
		batch := s.batches[0]
		fmt.Printf("check: %d steps at batch %d, K-step executable against single steps from the same weights\n", s.check, batch)
		for _, v := range s.variants {
			for _, k := range s.ks {
				if k == 1 {
					continue
				}
				steps := (s.check + k - 1) / k * k
				lossDiff, varDiff, err := checkK(d, v, k, batch, steps)
				r := record{Kind: "ksteps-check", Variant: v, K: k, Batch: batch, Steps: steps}
				if err != nil {
					failed = true
					r.Note = err.Error()
					fmt.Printf("check %-8s K=%-2d: FAILED: %v\n", v, k, err)
				} else {
					r.LossDiff, r.VarDiff = &lossDiff, &varDiff
					fmt.Printf("check %-8s K=%-2d: %d steps, max relative loss difference %.2g, max relative variable difference %.2g\n",
						v, k, steps, lossDiff, varDiff)
				}
				if err := emit(r); err != nil {
					return err
				}
			}
		}
	}

	var configs []*config
	for _, batch := range s.batches {
		for _, k := range s.ks {
			if k == 1 {
				configs = append(configs, &config{variant: variantSingle, k: 1, batch: batch})
				continue
			}
			for _, v := range s.variants {
				configs = append(configs, &config{variant: v, k: k, batch: batch})
			}
		}
	}
	fmt.Printf("reference AE on %d training digits, 1+%d epochs per measurement, %d rounds of %d configurations\n",
		d.n, s.epochs, s.rounds, len(configs))
	for round := 1; round <= s.rounds; round++ {
		off := (round - 1) * len(configs) / s.rounds
		order := append(slices.Clone(configs[off:]), configs[:off]...)
		got := map[*config]record{}
		for _, c := range order {
			if c.failed != nil {
				continue
			}
			m, err := timeTraining(d, c.variant, c.k, c.batch, s.epochs)
			if err != nil {
				c.failed = err
				failed = true
				fmt.Printf("round %d  %s: FAILED: %v\n", round, c, err)
				if err := emit(record{Kind: "ksteps", Variant: c.variant, K: c.k, Batch: c.batch, Round: round, Note: err.Error()}); err != nil {
					return err
				}
				continue
			}
			got[c] = record{Kind: "ksteps", Variant: c.variant, K: c.k, Batch: c.batch, Round: round, Images: d.n,
				Epochs: s.epochs, Rate: m.rate, Compile: m.overhead, FirstCall: m.firstCall, Loss: m.loss, InK: m.inK, CallRate: m.callRate, RSS: rssMiB()}
			fmt.Printf("round %d  %s: %6.0f images/s warm (K-calls alone %6.0f, %3.0f%% of steps), first-epoch overhead %5.2fs (first call %5.2fs), loss %.4f, RSS %4.0f MiB\n",
				round, c, m.rate, m.callRate, 100*m.inK, m.overhead, m.firstCall, m.loss, got[c].RSS)
		}
		for _, c := range configs { // records in a fixed order, with the round's ratios
			r, ok := got[c]
			if !ok {
				continue
			}
			c.rates = append(c.rates, r.Rate)
			c.overheads = append(c.overheads, r.Compile)
			c.callRates = append(c.callRates, r.CallRate)
			c.first = append(c.first, r.FirstCall)
			if base, ok := got[baseline(configs, c.batch)]; ok {
				r.Ratio = r.Rate / base.Rate
				c.ratios = append(c.ratios, r.Ratio)
				if base.CallRate > 0 {
					r.CallRatio = r.CallRate / base.CallRate
					c.callRatio = append(c.callRatio, r.CallRatio)
				}
			}
			if err := emit(r); err != nil {
				return err
			}
		}
	}

	fmt.Printf("\nwarm images/s, median over %d rounds (range); ratio to K=1 at the same batch: median (range) of the rounds' ratios;\n", s.rounds)
	fmt.Printf("K-calls alone: the same for the time inside the K-step calls (K=1: the full-batch single steps)\n")
	fmt.Printf("first-epoch overhead: its time over a warm epoch's; first call: of the K-step (K=1: single-step) executable, compilation included\n")
	fmt.Printf("%-8s %3s %5s  %9s  %-15s  %-19s  %-13s  %-19s  %-9s  %s\n", "variant", "K", "batch", "images/s", "range", "ratio",
		"K-calls alone", "ratio", "overhead", "first call")
	for _, c := range configs {
		if len(c.rates) == 0 {
			fmt.Printf("%-8s %3d %5d  failed: %v\n", c.variant, c.k, c.batch, c.failed)
			continue
		}
		fmt.Printf("%-8s %3d %5d  %9.0f  %6.0f–%-8.0f  %-19s  %-13.0f  %-19s  %7.2fs  %7.2fs\n", c.variant, c.k, c.batch, median(c.rates),
			slices.Min(c.rates), slices.Max(c.rates), ratioText(c.ratios), median(c.callRates), ratioText(c.callRatio),
			median(c.overheads), median(c.first))
	}
	if failed {
		return errors.New("some checks or measurements failed (see above)")
	}
	return nil
}

// ratioText is the median and range of ratios, or "-" without any.
func ratioText(ratios []float64) string {
	if len(ratios) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", median(ratios), slices.Min(ratios), slices.Max(ratios))
}

// baseline returns the K=1 configuration of batch, or nil.
func baseline(configs []*config, batch int) *config {
	for _, c := range configs {
		if c.k == 1 && c.batch == batch {
			return c
		}
	}
	return nil
}

// upload sends the digits and their labels to the backend, once.
func upload(b compute.Backend, train *aelib.Digits) (*data, error) {
	n := train.Len()
	lab := make([]int32, n)
	for i, l := range train.Labels {
		lab[i] = int32(l)
	}
	d := &data{n: n, images: tensors.FromFlatDataAndDimensions(train.X, n, aelib.Pixels),
		labels: tensors.FromFlatDataAndDimensions(lab, n)}
	for _, t := range []*tensors.Tensor{d.images, d.labels} {
		if err := t.ToDevice(b, 0); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// trainer is a fresh reference AE with its executables: single runs one step
// on indices [B,1], multi (nil for K=1) K steps on indices [K,B,1].
type trainer struct {
	ae            *aelib.AE
	single, multi *model.Exec
	k             int
}

// lr is the learning rate of the measurements, as .ci/bench/gomlx trains.
const lr = 1e-3

// newTrainer builds a reference AE with the weights aelib.Train draws for
// seed 1, its learning-rate variable set as aelib's loop sets it, and its
// executables for variant and k (none is compiled yet).
func newTrainer(variant string, k int) (*trainer, error) {
	ae, err := aelib.ReferenceAE()
	if err != nil {
		return nil, err
	}
	t := &trainer{ae: ae, k: k}
	err = catch(func() error {
		if err := ae.Store.SetRNGStateFromSeed(1); err != nil {
			return err
		}
		if err := ae.Store.InitializeVariables(ae.Backend, nil); err != nil {
			return err
		}
		optimizer.LearningRateVar(ae.Store.RootScope(), dtypes.Float32, lr)
		if t.single, err = singleExec(ae); err != nil {
			return err
		}
		switch variant {
		case variantSingle:
		case variantWhile:
			t.multi, err = whileExec(ae, k)
		case variantUnrolled:
			t.multi, err = unrolledExec(ae, k)
		default:
			err = fmt.Errorf("unknown variant %q", variant)
		}
		return err
	})
	if err != nil {
		t.finalize()
		return nil, err
	}
	return t, nil
}

// finalize frees the executables and the model's variables.
func (t *trainer) finalize() {
	for _, e := range []*model.Exec{t.single, t.multi} {
		if e != nil {
			e.Finalize()
		}
	}
	t.ae.Store.Finalize()
}

// singleExec is the step of aelib/loop.go: all images [N,784], all labels
// [N] and a batch's indices [B,1] → the loss.
func singleExec(ae *aelib.AE) (*model.Exec, error) {
	return model.NewExec(ae.Backend, ae.Store, func(scope *model.Scope, all, allLabels, idx *graph.Node) *graph.Node {
		ae.Store.SetTraining(all.Graph(), true)
		return ae.Step(scope, graph.Gather(all, idx), graph.Gather(allLabels, idx))
	})
}

// unrolledExec runs k steps written one after the other into one graph:
// all images, all labels, indices [k,B,1] → the k losses [k]. Each step
// reads the variables' values the previous one set.
func unrolledExec(ae *aelib.AE, k int) (*model.Exec, error) {
	return model.NewExec(ae.Backend, ae.Store, func(scope *model.Scope, all, allLabels, idx *graph.Node) *graph.Node {
		ae.Store.SetTraining(all.Graph(), true)
		batch := idx.Shape().Dimensions[1]
		losses := make([]*graph.Node, k)
		for i := range k {
			ix := graph.Reshape(graph.Slice(idx, graph.AxisElem(i)), batch, 1)
			// A fresh root scope per step: a Scope refuses to enter "encoder" twice.
			losses[i] = ae.Step(scope.Store().RootScope(), graph.Gather(all, ix), graph.Gather(allLabels, ix))
		}
		return graph.Stack(losses, 0)
	})
}

// whileExec runs k steps in a graph.While: all images, all labels, indices
// [k,B,1] → the k losses [k]. See whileStep.
func whileExec(ae *aelib.AE, k int) (*model.Exec, error) {
	used, err := stepVariables(ae)
	if err != nil {
		return nil, err
	}
	return model.NewExec(ae.Backend, ae.Store, func(scope *model.Scope, all, allLabels, idx *graph.Node) *graph.Node {
		ae.Store.SetTraining(all.Graph(), true)
		return whileStep(scope, used, ae.Step, all, allLabels, idx)
	})
}

// stepVariables returns the variables the AE's step reads or writes (weights,
// Adam's moments and counters, the learning rate), creating those that do not
// exist yet (the optimizer's) by building the step's graph once on GoMLX's
// pure Go backend, as aelib's NewAE does for the weights: a cheap build, no
// XLA compilation. Their values are set when an XLA executable first runs.
func stepVariables(ae *aelib.AE) ([]*model.Variable, error) {
	gb, err := goBackend()
	if err != nil {
		return nil, err
	}
	e, err := model.NewExec(gb, ae.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		ae.Store.SetTraining(x.Graph(), true)
		return ae.Step(scope, x, graph.Const(x.Graph(), []int32{0}))
	})
	if err != nil {
		return nil, err
	}
	defer e.Finalize()
	g, err := e.Compile(shapes.Make(dtypes.Float32, 1, aelib.Pixels))
	if err != nil {
		return nil, err
	}
	var used []*model.Variable
	for v := range ae.Store.IterVariables() {
		if v.InUseByGraph(g) {
			used = append(used, v)
		}
	}
	return used, nil
}

var (
	goOnce sync.Once
	goB    compute.Backend
	goErr  error
)

// goBackend is GoMLX's pure Go backend, created once, for graphs that are
// built only to create variables, never run.
func goBackend() (compute.Backend, error) {
	goOnce.Do(func() { goB, goErr = compute.NewWithConfig("go") })
	return goB, goErr
}

// whileStep builds k = idx's first dimension steps of step as a graph.While
// whose state is (counter, the k losses, every variable in used). All k
// steps run in the loop body, a closure: each variable's value there is a
// parameter of the body (SetNodeValue), and the body returns each
// variable's value after the step (NodeValue). After the loop, each variable
// the step changed gets the loop's result; the others (the learning rate)
// their value before the loop, so model.Exec sees them unchanged.
//
// Limits of GoMLX v0.28.8 on XLA (go-xla v0.4.5) shape this:
//   - The body reads the images, labels and indices of the main function
//     directly (Gather and DynamicSlice take operands of the parent function),
//     but the variables must be loop state: element-wise ops in a closure
//     reject operands of the parent function (go-xla stablehlo
//     Function.binaryOp: "cannot add operation Multiply to function
//     "closure1", because the operands are not part of the function").
//   - The first step cannot be built in the main function before the loop
//     (to create the optimizer's variables there): go-xla caches the
//     closures of reductions per builder, not per function ("cannot add
//     operation Reduce because reductionFn is not a StableHLO closure of
//     closure2"), and graph.Scalar caches constants per graph, not per
//     function, so the body's MulScalar, OneMinus… would reuse the main
//     function's constants and hit the error above. So no reduction and no
//     graph.Scalar is built in the main function, before or after the loop;
//     the variables' main-function parameters come from NodeValue here
//     (stepVariables made sure the optimizer's exist).
//   - The closure parameters are not named after the variables: XLA's SSA
//     names come from parameter names, and the main function's parameters
//     have those ("redefinition of SSA value").
func whileStep(scope *model.Scope, used []*model.Variable, step aelib.Step, all, allLabels, idx *graph.Node) *graph.Node {
	g := all.Graph()
	k, batch := idx.Shape().Dimensions[0], idx.Shape().Dimensions[1]
	before := make([]*graph.Node, len(used))
	state := []*graph.Node{graph.Const(g, int32(0)), graph.Const(g, make([]float32, k))}
	for i, v := range used {
		before[i] = v.NodeValue(g) // the main function's parameter of v
		state = append(state, before[i])
	}
	params := func(g *graph.Graph) []*graph.Node {
		ps := make([]*graph.Node, len(state))
		for i, s := range state {
			// Not the variable's path, which names its main-function parameter.
			ps[i] = graph.Parameter(g, fmt.Sprintf("loop_state_%d", i), s.Shape())
		}
		return ps
	}
	cond := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		ps := params(g)
		return []*graph.Node{graph.LessThan(ps[0], graph.Const(g, int32(k)))}
	})
	changed := make([]bool, len(used))
	body := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		ps := params(g)
		counter, losses := ps[0], ps[1]
		for i, v := range used {
			v.SetNodeValue(ps[2+i])
		}
		zero := graph.Const(g, int32(0))
		ix := graph.Reshape(graph.DynamicSlice(idx, []*graph.Node{counter, zero, zero}, []int{1, batch, 1}), batch, 1)
		loss := step(scope, graph.Gather(all, ix), graph.Gather(allLabels, ix))
		out := []*graph.Node{
			graph.Add(counter, graph.Const(g, int32(1))),
			graph.DynamicUpdateSlice(losses, graph.Reshape(loss, 1), []*graph.Node{counter}),
		}
		for i, v := range used {
			out = append(out, v.NodeValue(g))
			changed[i] = out[len(out)-1] != ps[2+i]
		}
		return out
	})
	res := graph.While(cond, body, state...)
	for i, v := range used {
		if changed[i] {
			v.SetNodeValue(res[2+i])
		} else {
			v.SetNodeValue(before[i]) // its parameter: model.Exec sees it unchanged
		}
	}
	return res[1]
}

// catch runs fn and returns its error or panic (GoMLX panics while building
// graphs) as an error.
func catch(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	return fn()
}

// indices returns the batches of perm from step s on: count batches of
// batch images as a tensor [count, batch, 1], or [batch, 1] when count is 0
// (a single step; the batch may be the epoch's last, smaller one).
func indices(perm []int, start, count, batch int) *tensors.Tensor {
	n := max(count, 1) * batch
	idx := make([]int32, 0, n)
	for _, p := range perm[start:min(start+n, len(perm))] {
		idx = append(idx, int32(p))
	}
	if count == 0 {
		return tensors.FromFlatDataAndDimensions(idx, len(idx), 1)
	}
	return tensors.FromFlatDataAndDimensions(idx, count, batch, 1)
}

// call runs exec on the data and indices and returns its losses.
func (t *trainer) call(exec *model.Exec, d *data, idx *tensors.Tensor) ([]float32, error) {
	var out []float32
	err := catch(func() error {
		lt, err := exec.Call1(d.images, d.labels, idx)
		idx.FinalizeAll()
		if err != nil {
			return err
		}
		defer lt.FinalizeAll()
		out, err = tensors.CopyFlatData[float32](lt)
		return err
	})
	return out, err
}

// measurement is what timeTraining measures.
type measurement struct {
	rate, overhead, firstCall, loss, inK float64
	callRate                             float64 // images/s of the warm full-batch calls of the K-step (K=1: single-step) executable
}

// timeTraining trains a fresh model for 1+epochs epochs of batch images,
// k steps per call of variant, and returns the warm throughput of the last
// epochs (images/s, steps alone), the first epoch's overhead over a warm one,
// the time of the first K-step call, the last epoch's mean loss, the share
// of steps run by the K-step executable and the warm throughput of its calls
// alone (of the single-step calls on full batches for K=1): without the
// leftover steps, what K steps per call give where the epoch is a multiple.
func timeTraining(d *data, variant string, k, batch, epochs int) (m measurement, err error) {
	t, err := newTrainer(variant, k)
	if err != nil {
		return m, err
	}
	defer t.finalize()
	n := d.n
	full := n / batch
	groups := 0
	if t.multi != nil {
		groups = full / k
	}
	steps := (n + batch - 1) / batch
	m.inK = float64(groups*k) / float64(steps)
	rng := rand.New(rand.NewPCG(1, 0xae)) // as aelib's loop with seed 1
	var secs []float64
	callSecs, callImages := 0.0, 0 // warm epochs: the main executable's calls on full batches
	for epoch := 0; epoch <= epochs; epoch++ {
		perm := rng.Perm(n)
		sum := 0.0
		start := time.Now()
		for g := range groups {
			t0 := time.Now()
			losses, err := t.call(t.multi, d, indices(perm, g*k*batch, k, batch))
			if err != nil {
				return m, fmt.Errorf("epoch %d, K-step call %d: %w", epoch+1, g+1, err)
			}
			if len(losses) != k {
				return m, fmt.Errorf("K-step call returned %d losses, want %d", len(losses), k)
			}
			for _, l := range losses {
				sum += float64(l) * float64(batch)
			}
			switch dt := time.Since(t0).Seconds(); {
			case epoch == 0 && g == 0:
				m.firstCall = dt
			case epoch > 0:
				callSecs += dt
				callImages += k * batch
			}
		}
		for b := groups * k * batch; b < n; b += batch {
			t0 := time.Now()
			losses, err := t.call(t.single, d, indices(perm, b, 0, batch))
			if err != nil {
				return m, fmt.Errorf("epoch %d, single step at image %d: %w", epoch+1, b, err)
			}
			sum += float64(losses[0]) * float64(min(batch, n-b))
			switch dt := time.Since(t0).Seconds(); {
			case t.multi != nil:
			case epoch == 0 && b == 0:
				m.firstCall = dt
			case epoch > 0 && b+batch <= n:
				callSecs += dt
				callImages += batch
			}
		}
		secs = append(secs, time.Since(start).Seconds())
		m.loss = sum / float64(n)
		if math.IsNaN(m.loss) || math.IsInf(m.loss, 0) {
			return m, fmt.Errorf("epoch %d: loss is %v", epoch+1, m.loss)
		}
	}
	warm := 0.0
	for _, s := range secs[1:] {
		warm += s
	}
	m.rate = float64(n*epochs) / warm
	m.overhead = secs[0] - warm/float64(epochs)
	if callSecs > 0 {
		m.callRate = float64(callImages) / callSecs
	}
	return m, nil
}

// checkK trains two fresh models from the same weights on the same steps
// batches of batch images: one with single steps, one with the K-step
// executable of variant. It returns the largest relative difference of their
// losses and of their variables afterwards (weights and optimizer state).
func checkK(d *data, variant string, k, batch, steps int) (lossDiff, varDiff float64, err error) {
	a, err := newTrainer(variantSingle, 1)
	if err != nil {
		return 0, 0, err
	}
	defer a.finalize()
	b, err := newTrainer(variant, k)
	if err != nil {
		return 0, 0, err
	}
	defer b.finalize()
	rng := rand.New(rand.NewPCG(7, 0xae))
	var perm []int
	for len(perm) < steps*batch {
		perm = append(perm, rng.Perm(d.n)...)
	}
	var la, lb []float32
	for s := range steps {
		l, err := a.call(a.single, d, indices(perm, s*batch, 0, batch))
		if err != nil {
			return 0, 0, fmt.Errorf("single step %d: %w", s+1, err)
		}
		la = append(la, l...)
	}
	for g := range steps / k {
		l, err := b.call(b.multi, d, indices(perm, g*k*batch, k, batch))
		if err != nil {
			return 0, 0, fmt.Errorf("K-step call %d: %w", g+1, err)
		}
		lb = append(lb, l...)
	}
	if len(la) != len(lb) {
		return 0, 0, fmt.Errorf("%d losses from single steps, %d from K-step calls", len(la), len(lb))
	}
	for i := range la {
		lossDiff = max(lossDiff, math.Abs(float64(la[i])-float64(lb[i]))/math.Abs(float64(la[i])))
	}
	n := 0
	err = catch(func() error {
		for va := range a.ae.Store.IterVariables() {
			vb := b.ae.Store.GetVariable(va.Path())
			if va.Name() == model.RNGStateVariableName {
				continue
			}
			if vb == nil {
				return fmt.Errorf("variable %s missing in the K-step model", va.Path())
			}
			ta, err := va.Value()
			if err != nil {
				return err
			}
			tb, err := vb.Value()
			if err != nil {
				return err
			}
			fa, fb := asFloats(ta), asFloats(tb)
			if fa == nil || fb == nil || len(fa) != len(fb) {
				return fmt.Errorf("variable %s: values of shapes %s and %s not comparable", va.Path(), ta.Shape(), tb.Shape())
			}
			diff, scale := 0.0, 0.0
			for i := range fa {
				diff = max(diff, math.Abs(fa[i]-fb[i]))
				scale = max(scale, math.Abs(fa[i]))
			}
			if scale > 0 {
				varDiff = max(varDiff, diff/scale)
			} else if diff > 0 {
				varDiff = math.Inf(1)
			}
			n++
		}
		return nil
	})
	if err == nil && n == 0 {
		err = errors.New("no variables compared")
	}
	return lossDiff, varDiff, err
}

// asFloats returns a tensor's values as float64, or nil for other dtypes.
func asFloats(t *tensors.Tensor) []float64 {
	var out []float64
	switch t.DType() {
	case dtypes.Float32:
		v, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil
		}
		for _, x := range v {
			out = append(out, float64(x))
		}
	case dtypes.Int64:
		v, err := tensors.CopyFlatData[int64](t)
		if err != nil {
			return nil
		}
		for _, x := range v {
			out = append(out, float64(x))
		}
	default:
		return nil
	}
	return out
}

// rssMiB returns the process's resident memory in MiB (Linux), or 0.
func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
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

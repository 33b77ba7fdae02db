package aelib

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{Epochs: 20, Batch: 64, LR: 0.001, HalveAfter: 10, Seed: 42}
	tests := []struct {
		name string
		edit func(c *Config)
		want string // the whole error message; "" = valid
	}{
		{"lecture", func(c *Config) {}, ""},
		{"batch = n", func(c *Config) { c.Batch = 1000 }, ""},
		{"batch 1", func(c *Config) { c.Batch = 1 }, ""},
		{"max epochs", func(c *Config) { c.Epochs = 10000 }, ""},
		{"lr 1", func(c *Config) { c.LR = 1 }, ""},
		{"never halve", func(c *Config) { c.HalveAfter = 0 }, ""},
		{"options", func(c *Config) { c.Retrain, c.Quiet, c.NoCurve = true, true, true }, ""},
		{"epochs 0", func(c *Config) { c.Epochs = 0 }, "aelib: epochs 0 invalid: must be 1..10000"},
		{"epochs -3", func(c *Config) { c.Epochs = -3 }, "aelib: epochs -3 invalid: must be 1..10000"},
		{"epochs 10001", func(c *Config) { c.Epochs = 10001 }, "aelib: epochs 10001 invalid: must be 1..10000"},
		{"batch 0", func(c *Config) { c.Batch = 0 }, "aelib: batch 0 invalid: must be 1..1000 (the number of training images)"},
		{"batch > n", func(c *Config) { c.Batch = 1001 }, "aelib: batch 1001 invalid: must be 1..1000 (the number of training images)"},
		{"lr 0", func(c *Config) { c.LR = 0 }, "aelib: lr 0 invalid: must be a number in (0, 1], e.g. 0.001"},
		{"lr negative", func(c *Config) { c.LR = -0.01 }, "aelib: lr -0.01 invalid: must be a number in (0, 1], e.g. 0.001"},
		{"lr 2", func(c *Config) { c.LR = 2 }, "aelib: lr 2 invalid: must be a number in (0, 1], e.g. 0.001"},
		{"lr NaN", func(c *Config) { c.LR = math.NaN() }, "aelib: lr NaN invalid: must be a number in (0, 1], e.g. 0.001"},
		{"lr +Inf", func(c *Config) { c.LR = math.Inf(1) }, "aelib: lr +Inf invalid: must be a number in (0, 1], e.g. 0.001"},
		{"halve -1", func(c *Config) { c.HalveAfter = -1 }, "aelib: halve_after -1 invalid: must be 0 (never) or an epoch ≥ 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := c.validate(1000)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate accepted %+v, want %q", c, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("Validate error\n got %q\nwant %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate error %v is not of kind ErrInvalid", err)
			}
		})
	}
}

func TestLRSchedule(t *testing.T) {
	tests := []struct {
		halveAfter, epoch int
		want              float64
	}{
		{10, 1, 1e-3},
		{10, 10, 1e-3},
		{10, 11, 5e-4},
		{10, 20, 5e-4},
		{10, 100, 5e-4}, // halved once, not again every 10 epochs
		{1, 1, 1e-3},
		{1, 2, 5e-4},
		{0, 1, 1e-3}, // 0 = never
		{0, 10000, 1e-3},
	}
	for _, tc := range tests {
		c := Config{Epochs: 20, Batch: 64, LR: 1e-3, HalveAfter: tc.halveAfter}
		if got := c.lrAt(tc.epoch); got != tc.want {
			t.Errorf("HalveAfter %d: lrAt(%d) = %g, want %g", tc.halveAfter, tc.epoch, got, tc.want)
		}
	}
}

// TestTrainLowersLoss trains the small AE for three epochs on 600 digits
// and checks the loss, the History and the test error of every epoch.
func TestTrainLowersLoss(t *testing.T) {
	train, test := digits(t, 600, 200)
	ae := smallAE(t, "lowers")
	before, err := ae.MSE(train)
	if err != nil {
		t.Fatal(err)
	}
	cfg := quiet(3)
	h, err := ae.Train(train, test, cfg, ae.Step)
	if err != nil {
		t.Fatal(err)
	}
	after, err := ae.MSE(train)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("per-pixel MSE before %.4f, after %.4f; epochs %.4f; test %.4f", before, after, h.Epoch, h.Test)
	if !(after < 0.8*before) {
		t.Errorf("training MSE %.4f → %.4f: want a drop of at least 20%%", before, after)
	}
	// 600 images in batches of 32: 18 full batches and one of 24.
	if h.StepsPerEpoch != 19 || len(h.Steps) != 3*19 || len(h.Epoch) != 3 {
		t.Errorf("%d steps/epoch, %d steps, %d epochs; want 19, 57, 3", h.StepsPerEpoch, len(h.Steps), len(h.Epoch))
	}
	for e := range h.Epoch {
		sum := 0.0
		for i, l := range h.Steps[19*e : 19*(e+1)] {
			sum += l * float64(min(32, 600-32*i))
		}
		if want := sum / 600; math.Abs(h.Epoch[e]-want) > 1e-12 {
			t.Errorf("epoch %d mean %.6f, want the batch-size weighted mean %.6f", e+1, h.Epoch[e], want)
		}
	}
	if !(h.Epoch[2] < h.Epoch[1] && h.Epoch[1] < h.Epoch[0]) {
		t.Errorf("epoch losses %.4f do not fall", h.Epoch)
	}
	if len(h.Test) != 3 {
		t.Fatalf("History.Test has %d values, want one per epoch (3)", len(h.Test))
	}
	if mse, err := ae.MSE(test); err != nil || h.Test[2] != mse {
		t.Errorf("last test error %.6f, want the test MSE after training %.6f (%v)", h.Test[2], mse, err)
	}
	if !(h.Test[2] < h.Test[0]) {
		t.Errorf("test error %.4f does not fall", h.Test)
	}
	if h.Images != 600 || h.LossLabel != "per-pixel MSE" || h.Backend != BackendName() || h.Config != cfg ||
		!(h.Seconds > 0) || h.Final() != h.Epoch[2] || ae.History != h {
		t.Errorf("History = %+v", *h)
	}

	// Timing: one entry per epoch; the first step (compiling) is part of the
	// first epoch; the warm rate counts epochs 2 and 3.
	if len(h.EpochSeconds) != 3 || !(h.FirstStep > 0) || !(h.FirstStep < h.EpochSeconds[0]) ||
		!(h.EpochSeconds[0]+h.EpochSeconds[1]+h.EpochSeconds[2] <= h.Seconds) {
		t.Errorf("first step %.3fs, epochs %.3fs, total %.3fs: want 3 epochs, 0 < first step < first epoch, their sum ≤ total",
			h.FirstStep, h.EpochSeconds, h.Seconds)
	}
	// The first epoch pays for compiling the step: the rate after it is higher
	// than the rate over the whole training (TestWarmImagesPerSecond checks the
	// formula on hand-made histories).
	if warm, all := h.WarmImagesPerSecond(), h.imagesPerSecond(); !(warm > all && all > 0) {
		t.Errorf("images/s once compiled %.0f, over the whole training %.0f: want 0 < whole < warm", warm, all)
	}

	// A second Train continues from the trained weights; without test digits
	// nothing is measured.
	h2, err := ae.Train(train, nil, quiet(1), ae.Step)
	if err != nil {
		t.Fatal(err)
	}
	if !(h2.Epoch[0] < h.Epoch[0]) {
		t.Errorf("second Train starts at %.4f, not below the first's %.4f", h2.Epoch[0], h.Epoch[0])
	}
	if len(h2.Test) != 0 {
		t.Errorf("History.Test %v without test digits", h2.Test)
	}
}

func TestWarmImagesPerSecond(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    *History
		want float64
	}{
		{"nil", nil, 0},
		{"no epochs", &History{Images: 100}, 0},
		{"epochs after the first", &History{Images: 100, FirstStep: 5, EpochSeconds: []float64{6, 2, 2}}, 50},
		{"one epoch: its steps after the first", &History{Images: 100, Config: Config{Batch: 20}, FirstStep: 1, EpochSeconds: []float64{3}}, 40},
		{"one epoch, one batch", &History{Images: 20, Config: Config{Batch: 20}, FirstStep: 1, EpochSeconds: []float64{1}}, 0},
	} {
		if got := tc.h.WarmImagesPerSecond(); got != tc.want {
			t.Errorf("%s: WarmImagesPerSecond = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestTrainOutput: the progress lines (TestQuick shows none when Quiet).
func TestTrainOutput(t *testing.T) {
	train, test := digits(t, 100, 50)
	cfg := quiet(2)
	cfg.Quiet = false
	ae := smallAE(t, "talks")
	out := outputOf(t, func() {
		if _, err := ae.Train(train, test, cfg, ae.Step); err != nil {
			t.Error(err)
		}
	})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	wantFirst := "training talks: 100 images, epochs=2 batch=32 lr=0.005 (never halved) seed=42, 4 batches/epoch, backend " + BackendName()
	if BackendName() == "xla" {
		wantFirst += ", 32 steps per call"
	}
	if len(lines) != 4 || lines[0] != wantFirst ||
		!strings.HasPrefix(lines[1], "epoch  1/2  lr 0.005   per-pixel MSE 0.") || !strings.Contains(lines[1], ", test 0.") ||
		!strings.HasPrefix(lines[2], "epoch  2/2") ||
		!strings.HasPrefix(lines[3], "training talks: done in ") {
		t.Errorf("output:\n%s\nwant 4 lines, the first %q", out, wantFirst)
	}
}

// TestTrainSeeds: equal seeds give equal runs, other seeds other runs, for
// the AE (also when it was used, so its weights drawn, before training) and
// for a model made with NewModel, whose weights the step creates.
func TestTrainSeeds(t *testing.T) {
	train, _ := digits(t, 300, 0)
	run := func(t *testing.T, kind string, seed int64) []float64 {
		t.Helper()
		cfg := quiet(1)
		cfg.Seed = seed
		var h *History
		var err error
		switch kind {
		case "AE", "AE used":
			ae := smallAE(t, "seeded")
			if kind == "AE used" { // draws the weights from defaultSeed: Train must draw them again
				if _, err := ae.Encode(train.X[:Pixels]); err != nil {
					t.Fatal(err)
				}
			}
			h, err = ae.Train(train, nil, cfg, ae.Step)
		case "classifier":
			m := newClassifier(t)
			h, err = m.Train(train, nil, cfg, classifierStep)
		}
		if err != nil {
			t.Fatal(err)
		}
		return h.Steps
	}
	type key struct {
		kind string
		seed int64
	}
	reference := map[key][]float64{} // the first run of each kind and seed
	tests := []struct {
		name         string
		kindA, kindB string
		seedA, seedB int64
		same         bool
	}{
		{"AE, same seed", "AE", "AE", 42, 42, true},
		{"AE, other seed", "AE", "AE", 42, 43, false},
		{"AE used before training, same seed", "AE", "AE used", 42, 42, true},
		// A NewModel's weights are created by its step, after Train drew
		// the AE's: they must come from cfg.Seed too.
		{"NewModel classifier, same seed", "classifier", "classifier", 42, 42, true},
		{"NewModel classifier, other seed", "classifier", "classifier", 42, 43, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ka := key{tc.kindA, tc.seedA}
			a, ok := reference[ka]
			if !ok {
				a = run(t, tc.kindA, tc.seedA)
				reference[ka] = a
			}
			b := run(t, tc.kindB, tc.seedB) // a run of its own, never one from reference
			if got := slices.Equal(a, b); got != tc.same {
				t.Errorf("step losses equal = %v, want %v (first %.6f vs %.6f)", got, tc.same, a[:3], b[:3])
			}
		})
	}
}

// classifierStep is a training step as a notebook writes one for a
// classifier: a Linear head of 10 logits over the images, the cross-entropy
// with the labels, Adam. It shows that Train serves losses other than MSE.
func classifierStep(scope *model.Scope, images, labels *graph.Node) *graph.Node {
	logits := Linear(scope.In("head"), images, 10)
	l := loss.SparseCategoricalCrossEntropyLogits([]*graph.Node{graph.ExpandAxes(labels, -1)}, []*graph.Node{logits})
	optimizer.Adam().Done().UpdateGraph(scope, images.Graph(), l)
	return l
}

// newClassifier returns an empty model for classifierStep whose TestError
// is its error rate.
func newClassifier(t testing.TB) *Model {
	t.Helper()
	m, err := NewModel("digits", "a linear classifier", "cross-entropy")
	if err != nil {
		t.Fatal(err)
	}
	m.TestError = func(d *Digits) (float64, error) {
		acc, err := accuracy(m, d)
		return 1 - acc, err
	}
	return m
}

// accuracy is the fraction of d that classifierStep's head labels right.
func accuracy(m *Model, d *Digits) (float64, error) {
	var pred []int32
	err := runGraph("classifying", func() error {
		e, err := model.NewExec(m.Backend, m.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			return graph.ArgMax(Linear(scope.In("head"), x, 10), -1, dtypes.Int32)
		})
		if err != nil {
			return err
		}
		defer e.Finalize()
		y, err := e.Call1(tensors.FromFlatDataAndDimensions(d.X, d.Len(), Pixels))
		if err != nil {
			return err
		}
		pred, err = tensors.CopyFlatData[int32](y)
		return err
	})
	if err != nil {
		return 0, err
	}
	right := 0
	for i, p := range pred {
		if int(p) == d.Labels[i] {
			right++
		}
	}
	return float64(right) / float64(d.Len()), nil
}

// TestTrainClassifier trains a linear classifier through the same loop as
// the AE, with a cross-entropy step written here.
func TestTrainClassifier(t *testing.T) {
	train, test := digits(t, 1000, 500)
	m := newClassifier(t)
	h, err := m.Train(train, test, quiet(3), classifierStep)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accuracy(m, test)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cross-entropy per epoch %.4f, test error %.4f, held-out accuracy %.3f", h.Epoch, h.Test, acc)
	// With small initial weights the first loss is close to ln 10 (10 equally likely classes).
	if first := h.Steps[0]; math.Abs(first-math.Log(10)) > 0.5 {
		t.Errorf("first cross-entropy %.3f, want ≈ ln 10 = 2.303", first)
	}
	if !(h.Epoch[2] < h.Epoch[0]) || !(h.Epoch[2] < 1) {
		t.Errorf("cross-entropy per epoch %.4f: want it to fall below 1", h.Epoch)
	}
	if acc < 0.7 {
		t.Errorf("held-out accuracy %.3f, want clearly above chance (0.1): ≥ 0.7", acc)
	}
	if len(h.Test) != 3 || h.Test[2] != 1-acc {
		t.Errorf("History.Test %v, want 3 error rates ending in %.4f", h.Test, 1-acc)
	}
	if h.LossLabel != "cross-entropy" {
		t.Errorf("History.LossLabel %q", h.LossLabel)
	}
}

// TestTrainErrors: bad input and bad steps give errors, not panics, and a
// failed Train leaves History alone.
func TestTrainErrors(t *testing.T) {
	train, test := digits(t, 100, 20)
	perImage := func(scope *model.Scope, x, _ *graph.Node) *graph.Node {
		y := loopDecoder(scope.In("decoder"), loopEncoder(graph.Tanh)(scope.In("encoder"), x))
		perImage := graph.ReduceMean(graph.Square(graph.Sub(y, x)), -1) // [B]: not reduced to a scalar
		optimizer.Adam().Done().UpdateGraph(scope, x.Graph(), graph.ReduceAllMean(perImage))
		return perImage
	}
	badShapes := func(scope *model.Scope, x, _ *graph.Node) *graph.Node {
		return graph.ReduceAllMean(graph.Add(Linear(scope.In("dense"), x, 5), Linear(scope.In("other"), x, 3)))
	}
	// A linear map 784→784 trained on the sum of squared errors by plain
	// gradient descent: with lr 1 every step overshoots more, the loss
	// grows beyond float32.
	diverges := func(scope *model.Scope, x, _ *graph.Node) *graph.Node {
		y := Linear(scope.In("dense"), x, Pixels)
		l := graph.ReduceAllSum(graph.Square(graph.Sub(y, x)))
		optimizer.StochasticGradientDescent().WithDecay(false).Done().UpdateGraph(scope, x.Graph(), l)
		return l
	}
	// A loss that is NaN from the first step: √-1 times a weight.
	nan := func(scope *model.Scope, x, _ *graph.Node) *graph.Node {
		y := Linear(scope.In("dense"), x, 1)
		l := graph.ReduceAllMean(graph.Mul(y, graph.Sqrt(graph.Neg(graph.OnesLike(y)))))
		optimizer.Adam().Done().UpdateGraph(scope, x.Graph(), l)
		return l
	}
	hugeLR := quiet(5)
	hugeLR.LR = 1
	tests := []struct {
		name        string
		train, test *Digits
		cfg         Config
		step        Step
		want        []string // all in the one-line error
	}{
		{"nil digits", nil, test, quiet(1), nil, []string{"aelib: digits nil: load them with aelib.LoadMNIST"}},
		{"ragged digits", &Digits{X: make([]float32, 10), Labels: []int{1}}, nil, quiet(1), nil, []string{"aelib: digits invalid: 1 labels but 10 pixel values"}},
		{"ragged test digits", train, &Digits{X: make([]float32, Pixels), Labels: []int{1, 2}}, quiet(1), nil, []string{"aelib: digits invalid: 2 labels but 784 pixel values"}},
		{"no digits", &Digits{}, nil, quiet(1), nil, []string{"aelib: digits invalid: 0 labels"}},
		{"batch 0", train, nil, func() Config { c := quiet(1); c.Batch = 0; return c }(), nil, []string{"aelib: batch 0 invalid: must be 1..100"}},
		{"epochs 0", train, nil, quiet(0), nil, []string{"aelib: epochs 0 invalid"}},
		{"nil step", train, nil, quiet(1), nil, []string{"aelib: train errs: step is nil"}},
		{"non-scalar loss", train, nil, quiet(1), perImage, []string{"aelib: training errs: ", "the step returned a loss of shape (Float32)[32]: it must return a scalar"}},
		{"step panics", train, nil, quiet(1), badShapes, []string{"aelib: training errs: ", "cannot be broadcast"}},
		{"NaN loss", train, nil, quiet(1), nan, []string{"aelib: training errs: epoch 1, step 1: loss is NaN: lower the learning rate (lr=0.005)"}},
		{"loss explodes", train, nil, hugeLR, diverges, []string{"aelib: training errs: epoch ", ", step ", ": loss is ", ": lower the learning rate (lr=1)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ae := smallAE(t, "errs")
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("Train panicked: %v", r)
					}
				}()
				_, err = ae.Train(tc.train, tc.test, tc.cfg, tc.step)
			}()
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of several lines: %q", err)
			}
			if ae.History != nil {
				t.Errorf("a failed Train set History")
			}
		})
	}
}

// TestQuick: AELIB_QUICK=1 reduces epochs, training and test images (and a
// batch larger than what is left) and says what it changed.
func TestQuick(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "": false, "0": false, "yes": false} {
		t.Setenv(quickEnv, v)
		if isQuick() != want {
			t.Errorf("%s=%q: isQuick() = %v", quickEnv, v, !want)
		}
	}

	tr, te := digits(t, 2500, 1500)
	tests := []struct {
		name          string
		quick         string
		epochs, batch int
		nTrain, nTest int // nTest 0: no test digits
		wantOut       string
		wantEpochs    int
		wantTrain     int
		wantTest      int
		wantBatch     int
	}{
		{"all reduced", "1", 20, 64, 2500, 1500,
			"AELIB_QUICK=1: epochs 20→2, training images 2500→2000, test images 1500→1000\n", 2, 2000, 1000, 64},
		{"batch reduced too", "1", 3, 2200, 2500, 0,
			"AELIB_QUICK=1: epochs 3→2, training images 2500→2000, batch 2200→2000\n", 2, 2000, 0, 2000},
		{"already small", "1", 1, 64, 500, 100, "", 1, 500, 100, 64},
		{"not quick", "", 20, 64, 2500, 1500, "", 20, 2500, 1500, 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(quickEnv, tc.quick)
			cfg := quiet(tc.epochs)
			cfg.Batch = tc.batch
			var test *Digits
			if tc.nTest > 0 {
				test = te.Head(tc.nTest)
			}
			var gotTrain, gotTest *Digits
			var got Config
			out := outputOf(t, func() {
				var err error
				gotTrain, gotTest, got, err = (&Model{Name: "q"}).prepare(tr.Head(tc.nTrain), test, cfg, classifierStep)
				if err != nil {
					t.Error(err)
				}
			})
			if out != tc.wantOut {
				t.Errorf("printed %q, want %q", out, tc.wantOut)
			}
			nTest := 0
			if gotTest != nil {
				nTest = gotTest.Len()
			}
			if got.Epochs != tc.wantEpochs || gotTrain.Len() != tc.wantTrain || nTest != tc.wantTest || got.Batch != tc.wantBatch {
				t.Errorf("epochs %d, %d training and %d test images, batch %d; want %d, %d, %d, %d",
					got.Epochs, gotTrain.Len(), nTest, got.Batch, tc.wantEpochs, tc.wantTrain, tc.wantTest, tc.wantBatch)
			}
		})
	}

	// Train uses what prepare gives and says so, even when Quiet.
	t.Setenv(quickEnv, "1")
	ae := smallAE(t, "quick")
	var h *History
	out := outputOf(t, func() {
		var err error
		if h, err = ae.Train(tr.Head(2100), te.Head(1200), quiet(5), ae.Step); err != nil {
			t.Error(err)
		}
	})
	if h == nil {
		t.FailNow()
	}
	if out != "AELIB_QUICK=1: epochs 5→2, training images 2100→2000, test images 1200→1000\n" {
		t.Errorf("Train printed %q", out)
	}
	if h.Images != quickImages || len(h.Epoch) != quickEpochs || h.Config.Epochs != quickEpochs || len(h.Test) != quickEpochs {
		t.Errorf("quick run: %d images, %d epochs (config %d), %d test errors; want %d, %d", h.Images, len(h.Epoch),
			h.Config.Epochs, len(h.Test), quickImages, quickEpochs)
	}
}

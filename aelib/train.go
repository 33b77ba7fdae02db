package aelib

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/janpfeifer/gonb/gonbui"
)

// Config holds the settings of a training run. A notebook declares its own,
// with the lecture's values, in its settings cell:
//
//	var cfg = aelib.Config{Epochs: 20, Batch: 64, LR: 0.001, HalveAfter: 10, Seed: 42}
type Config struct {
	Epochs     int     // passes over the training set
	Batch      int     // images per step; the last, smaller batch of an epoch is kept
	LR         float64 // learning rate, set in the optimizer's variable before every epoch
	HalveAfter int     // the learning rate halves after this epoch (0 = never)
	Seed       int64   // initial weights and the order of the images follow it

	Retrain bool `json:"-"` // TrainOrLoad trains even when a checkpoint exists
	Quiet   bool `json:"-"` // no progress lines
	NoCurve bool `json:"-"` // no loss chart (it is drawn only inside a notebook)
}

// Limits of Config values.
const maxEpochs = 10000

// Validate checks the config for a training set of n images. Each bad value
// gives a one-line error naming the value and what is valid.
func (c Config) Validate(n int) error {
	switch {
	case c.Epochs < 1 || c.Epochs > maxEpochs:
		return errorf("epochs %d invalid: must be 1..%d", c.Epochs, maxEpochs)
	case c.Batch < 1 || c.Batch > n:
		return errorf("batch %d invalid: must be 1..%d (the number of training images)", c.Batch, n)
	case !finite(c.LR) || c.LR <= 0 || c.LR > 1:
		return errorf("lr %v invalid: must be a number in (0, 1], e.g. 0.001", c.LR)
	case c.HalveAfter < 0:
		return errorf("halve_after %d invalid: must be 0 (never) or an epoch ≥ 1", c.HalveAfter)
	}
	return nil
}

// lrAt is the learning rate of an epoch (counted from 1): LR, halved for the
// epochs after HalveAfter.
func (c Config) lrAt(epoch int) float64 {
	if c.HalveAfter > 0 && epoch > c.HalveAfter {
		return c.LR / 2
	}
	return c.LR
}

// String prints the settings in one line.
func (c Config) String() string {
	halve := "never halved"
	if c.HalveAfter > 0 {
		halve = fmt.Sprintf("halved after epoch %d", c.HalveAfter)
	}
	return fmt.Sprintf("epochs=%d batch=%d lr=%g (%s) seed=%d", c.Epochs, c.Batch, c.LR, halve, c.Seed)
}

// Step is one training step, written by the notebook that teaches it: from
// a batch of images [B, 784] and their labels [B] (int32), it computes the
// loss, adds the update of the weights to the graph (an optimizer's
// UpdateGraph) and returns the loss, a scalar. Train runs it once per batch.
// The scope is the model's root scope.
type Step func(scope *model.Scope, images, labels *graph.Node) *graph.Node

// History records a training run.
type History struct {
	Loss          string    // what the step returns, e.g. "per-pixel MSE"
	Steps         []float64 // loss of every step (batch)
	Epoch         []float64 // mean loss of each epoch: its steps' losses weighted by batch size
	Test          []float64 // the model's TestError after each epoch, when measured
	StepsPerEpoch int
	Seconds       float64   // wall time of the training, compilation included
	FirstStep     float64   // seconds of the first step: building and compiling the graph, then running it once
	EpochSeconds  []float64 // wall time of each epoch's steps (the first includes FirstStep; the test error is not counted)
	Images        int       // training images used
	Backend       string    // e.g. "xla" or "go"
	Config        Config    // settings actually used (after AELIB_QUICK)
}

// Final is the mean loss of the last epoch.
func (h *History) Final() float64 {
	if h == nil || len(h.Epoch) == 0 {
		return math.NaN()
	}
	return h.Epoch[len(h.Epoch)-1]
}

// ImagesPerSecond is the training throughput, compilation included.
func (h *History) ImagesPerSecond() float64 {
	return float64(h.Images*len(h.Epoch)) / h.Seconds
}

// WarmImagesPerSecond is the training throughput once the step is compiled:
// the images of the epochs after the first over the time of their steps or,
// after a single epoch, that epoch's images after the first batch over the
// time of its steps after the first. It is 0 when no time was recorded.
func (h *History) WarmImagesPerSecond() float64 {
	switch {
	case h == nil || len(h.EpochSeconds) == 0:
		return 0
	case len(h.EpochSeconds) == 1:
		rest := h.EpochSeconds[0] - h.FirstStep
		if rest <= 0 || h.Images <= h.Config.Batch {
			return 0
		}
		return float64(h.Images-h.Config.Batch) / rest
	}
	sec := 0.0
	for _, s := range h.EpochSeconds[1:] {
		sec += s
	}
	return float64(h.Images*(len(h.EpochSeconds)-1)) / sec
}

// Curve draws the loss of every step, the mean of each epoch and the test
// error per epoch against the epoch, on a log scale.
func (h *History) Curve(title string) (*Figure, error) {
	if h == nil || len(h.Steps) == 0 {
		return nil, errorf("loss curve %q: no training history", title)
	}
	return lossChart(title, h.Loss, h.Steps, float64(max(1, h.StepsPerEpoch)), h.Epoch, h.Test)
}

// Model is what Train trains and a checkpoint saves: named weights in a
// GoMLX store, on a backend. AE embeds one; a notebook can make its own
// (a classifier) with NewModel.
type Model struct {
	Name    string // names its checkpoints, e.g. "reference"
	Title   string // names it in words on charts, e.g. "the 2-D autoencoder"
	Loss    string // what its training step returns, e.g. "per-pixel MSE"
	Backend compute.Backend
	Store   *model.Store
	// TestError, if set, measures the model on held-out digits; Train calls
	// it after every epoch for the loss chart. AE sets it to its MSE.
	TestError func(*Digits) (float64, error)
	History   *History // of the last Train, or loaded with a checkpoint

	fresh bool            // weights never trained nor loaded
	kept  map[string]bool // variables CopyWeights set: the first Train keeps them
	exec  *model.Exec     // the step TrainFresh compiled, run by its later calls
}

// NewModel returns an empty model on the notebooks' backend (see Backend).
func NewModel(name, title, loss string) (*Model, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errorf("model name empty: give it a name, e.g. \"reference\"")
	}
	backend, err := Backend()
	if err != nil {
		return nil, err
	}
	return &Model{Name: name, Title: title, Loss: loss, Backend: backend, Store: model.NewStore(), fresh: true}, nil
}

// quickImages, quickTest and quickEpochs bound a training under AELIB_QUICK=1.
const (
	quickImages = 2000
	quickTest   = 1000
	quickEpochs = 2
)

// prepare applies AELIB_QUICK, then validates. It returns the data and
// config to use.
func prepare(train, test *Digits, cfg Config) (*Digits, *Digits, Config, error) {
	if err := checkDigits(train); err != nil {
		return nil, nil, cfg, err
	}
	if test != nil {
		if err := checkDigits(test); err != nil {
			return nil, nil, cfg, err
		}
	}
	if err := cfg.Validate(train.Len()); err != nil {
		return nil, nil, cfg, err
	}
	if isQuick() {
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
			fmt.Printf("%s=1: %s\n", quickEnv, strings.Join(changes, ", "))
		}
	}
	return train, test, cfg, nil
}

// Train runs step over the training digits: cfg.Epochs epochs, each visiting
// the images in a new order drawn from cfg.Seed, in batches of cfg.Batch (the
// last, smaller batch is kept, like PyTorch's DataLoader: 938 batches for
// 60,000 images), with the learning rate of the epoch (cfg.LR, halved after
// cfg.HalveAfter). When test is not nil and the model has a TestError, it is
// measured after every epoch.
//
// On a model never trained nor loaded, Train first draws all weights from
// cfg.Seed, so equal seeds give equal runs on one backend; otherwise it
// continues from the current weights. It prints the settings, one line per
// epoch and, inside a notebook, a loss chart that updates while it runs and
// stays as a figure. Under AELIB_QUICK=1 it trains at most quickEpochs
// epochs on the first quickImages images, and says so.
//
// Why not GoMLX's train.Loop: the training images go to the backend once
// and each step sends only the batch's indices (the batch is gathered in
// the graph), and the step is the notebook's own code, not a model and loss
// function handed to a trainer.
func (m *Model) Train(train, test *Digits, cfg Config, step Step) (*History, error) {
	train, test, cfg, err := prepare(train, test, cfg)
	if err != nil {
		return nil, err
	}
	return m.train(train, test, cfg, step)
}

// train is Train after prepare.
func (m *Model) train(train, test *Digits, cfg Config, step Step) (*History, error) {
	if step == nil {
		return nil, errorf("train %s: step is nil: pass the notebook's training step", m.Name)
	}
	if m.fresh {
		if err := initVariables(m.Backend, m.Store, cfg.Seed, func(path string) bool { return !m.kept[path] }); err != nil {
			return nil, err
		}
	}
	exec, err := m.compile(step)
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	return m.run(exec, train, test, cfg)
}

// run runs the training loop with a compiled step and records its History.
func (m *Model) run(exec *model.Exec, train, test *Digits, cfg Config) (*History, error) {
	h, err := m.loop(exec, train, test, cfg)
	m.fresh = false // even a failed run has changed the weights
	if err != nil {
		return nil, err
	}
	m.History = h
	return h, nil
}

// compile returns the executable of step: it takes all the training images
// [N, 784], their labels [N] and a batch's indices [B, 1], gathers the batch
// in the graph and runs step on it. GoMLX compiles it on its first call, and
// again for each new shape (the last, smaller batch of an epoch).
func (m *Model) compile(step Step) (*model.Exec, error) {
	var exec *model.Exec
	err := safely("training "+m.Name, func() error {
		var err error
		exec, err = model.NewExec(m.Backend, m.Store, func(scope *model.Scope, all, allLabels, idx *graph.Node) *graph.Node {
			m.Store.SetTraining(all.Graph(), true)
			return step(scope, graph.Gather(all, idx), graph.Gather(allLabels, idx))
		})
		return err
	})
	return exec, err
}

// TrainFresh trains m from fresh weights, as Train trains a new model, and
// can be called again and again: a sweep over seeds trains one model per kind
// this way (07_pretraining trains 128 classifiers with 8 models). Each call
// draws all the weights again from cfg.Seed (models with the same weights get
// the same draws), then puts back those CopyWeights copied since the last
// call, and starts the optimizer's state (Adam's moments and step count) from
// zero; learning rates the step keeps in its own variables stay as they are.
// Only the first call compiles step, which on XLA takes longer than a short
// training; later calls run that compiled step, so pass the same step each
// time.
func (m *Model) TrainFresh(train, test *Digits, cfg Config, step Step) (*History, error) {
	train, test, cfg, err := prepare(train, test, cfg)
	if err != nil {
		return nil, err
	}
	if step == nil {
		return nil, errorf("train %s: step is nil: pass the notebook's training step", m.Name)
	}
	if m.exec == nil {
		exec, err := m.compile(step)
		if err != nil {
			return nil, err
		}
		// Build the step's graph now, so that its variables exist and are all
		// drawn below, in the order the step creates them.
		err = safely("training "+m.Name, func() error {
			_, err := exec.Compile(shapes.Make(dtypes.Float32, train.Len(), Pixels), shapes.Make(dtypes.Int32, train.Len()),
				shapes.Make(dtypes.Int32, cfg.Batch, 1))
			return err
		})
		if err != nil {
			exec.Finalize()
			return nil, err
		}
		m.exec = exec
	}
	if err := m.restart(cfg.Seed); err != nil {
		return nil, err
	}
	return m.run(m.exec, train, test, cfg)
}

// restart gives m fresh weights for TrainFresh: every model weight drawn from
// seed, then the copied ones (m.kept) put back; optimizer state zeroed, its
// learning rates left alone.
func (m *Model) restart(seed int64) error {
	return safely("restarting "+m.Name, func() error {
		kept := map[string]*tensors.Tensor{}
		var weights []*model.Variable
		key := fmt.Sprint(seed)
		for v := range m.Store.IterVariables() {
			switch {
			case m.kept[v.Path()]:
				t, err := v.Value()
				if err != nil {
					return err
				}
				flat, err := tensors.CopyFlatData[float32](t)
				if err != nil {
					return err
				}
				kept[v.Path()] = tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)
			case isModelVar(v) || v.Name() == model.RNGStateVariableName || v.Name() == optimizer.ParamLearningRate:
			case v.HasValue(): // optimizer state: from zero
				if err := v.SetValue(tensors.FromShape(v.Shape())); err != nil {
					return err
				}
			}
			if isModelVar(v) {
				weights = append(weights, v)
				key += fmt.Sprintf(" %s%v", v.Path(), v.Shape().Dimensions)
			}
		}
		if err := m.Store.SetRNGStateFromSeed(seed); err != nil {
			return err
		}
		if err := drawWeights(m, weights, key); err != nil {
			return err
		}
		for path, t := range kept {
			if err := m.Store.GetVariable(path).SetValue(t); err != nil {
				return err
			}
		}
		m.kept = nil
		return nil
	})
}

// initCache keeps the initial weights restart drew, by seed and weights
// (their paths and shapes; weights alike in both are taken to have the same
// initialisers): the four starts of 07's classifiers, which share their
// weights, then start from the same draws without each compiling an
// initialisation graph (about half a second on XLA) for every seed.
var initCache = struct {
	sync.Mutex
	m map[string][][]float32
}{m: map[string][][]float32{}}

// drawWeights gives the weights their initial values for the seed in key,
// drawn by their initialisers or, for a key seen before, copied from the cache.
func drawWeights(m *Model, weights []*model.Variable, key string) error {
	initCache.Lock()
	defer initCache.Unlock()
	if vals, ok := initCache.m[key]; ok {
		for i, v := range weights {
			if err := v.SetValue(tensors.FromFlatDataAndDimensions(slices.Clone(vals[i]), v.Shape().Dimensions...)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, v := range weights {
		if err := v.Reset(); err != nil {
			return err
		}
	}
	if err := m.Store.InitializeVariables(m.Backend, nil); err != nil {
		return err
	}
	vals := make([][]float32, len(weights))
	for i, v := range weights {
		if v.DType() != dtypes.Float32 {
			return nil // not cached: only float32 weights are
		}
		t, err := v.Value()
		if err != nil {
			return err
		}
		if vals[i], err = tensors.CopyFlatData[float32](t); err != nil {
			return err
		}
	}
	if len(initCache.m) >= 64 { // a long session's sweeps: start the cache again
		clear(initCache.m)
	}
	initCache.m[key] = vals
	return nil
}

// loop runs the epochs of a training with the compiled step.
func (m *Model) loop(exec *model.Exec, d, test *Digits, cfg Config) (*History, error) {
	n := d.Len()
	batches := (n + cfg.Batch - 1) / cfg.Batch
	h := &History{Loss: m.Loss, Images: n, Backend: shortName(m.Backend), Config: cfg, StepsPerEpoch: batches}
	say := func(format string, args ...any) {
		if !cfg.Quiet {
			fmt.Printf(format, args...)
		}
	}
	say("training %s: %d images, %s, %d batches/epoch, backend %s\n", m.Name, n, cfg, batches, h.Backend)
	var live *liveLoss // nil draws nothing
	if gonbui.IsNotebook && !cfg.NoCurve {
		live = newLiveLoss(m.chartTitle(), m.Loss, float64(batches))
	}

	var data, labels *tensors.Tensor
	defer func() {
		for _, t := range []*tensors.Tensor{data, labels} {
			if t != nil {
				t.FinalizeAll()
			}
		}
	}()
	err := safely("training "+m.Name, func() error {
		// The data set goes to the backend once and stays there.
		data = tensors.FromFlatDataAndDimensions(d.X, n, Pixels)
		lab := make([]int32, n)
		for i, l := range d.Labels {
			lab[i] = int32(l)
		}
		labels = tensors.FromFlatDataAndDimensions(lab, n)
		for _, t := range []*tensors.Tensor{data, labels} {
			if err := t.ToDevice(m.Backend, 0); err != nil {
				return err
			}
		}
		lrVar := optimizer.LearningRateVar(m.Store.RootScope(), dtypes.Float32, cfg.LR)

		rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0xae))
		start := time.Now()
		idx := make([]int32, cfg.Batch)
		lastLR := math.NaN()
		for epoch := 1; epoch <= cfg.Epochs; epoch++ {
			t0 := time.Now()
			lr := cfg.lrAt(epoch)
			if lr != lastLR { // set when it changes: an epoch of a few digits is one step
				if err := lrVar.SetValue(tensors.FromValue(float32(lr))); err != nil {
					return err
				}
				lastLR = lr
			}
			perm := rng.Perm(n)
			sum := 0.0
			steps0 := time.Now() // the epoch's steps alone
			for b := 0; b < n; b += cfg.Batch {
				e := min(b+cfg.Batch, n)
				idx = idx[:e-b]
				for i, p := range perm[b:e] {
					idx[i] = int32(p)
				}
				it := tensors.FromFlatDataAndDimensions(idx, e-b, 1)
				lt, err := exec.Call1(data, labels, it)
				it.FinalizeAll()
				if err != nil {
					return fmt.Errorf("epoch %d, step %d: %w", epoch, len(h.Steps)+1, err)
				}
				if !lt.Shape().IsScalar() {
					return fmt.Errorf("the step returned a loss of shape %s: it must return a scalar", lt.Shape())
				}
				loss := float64(tensors.ToScalar[float32](lt))
				lt.FinalizeAll()
				if len(h.Steps) == 0 {
					h.FirstStep = time.Since(start).Seconds()
				}
				if !finite(loss) {
					return fmt.Errorf("epoch %d, step %d: loss is %v: lower the learning rate (lr=%g)", epoch, len(h.Steps)+1, loss, lr)
				}
				h.Steps = append(h.Steps, loss)
				sum += loss * float64(e-b)
				live.step(loss)
			}
			h.EpochSeconds = append(h.EpochSeconds, time.Since(steps0).Seconds())
			mean := sum / float64(n)
			h.Epoch = append(h.Epoch, mean)
			line := fmt.Sprintf("epoch %2d/%d  lr %-7g %s %.5f", epoch, cfg.Epochs, lr, m.Loss, mean)
			testErr := math.NaN()
			if test != nil && m.TestError != nil {
				var err error
				if testErr, err = m.TestError(test); err != nil {
					return fmt.Errorf("epoch %d, test error: %w", epoch, err)
				}
				h.Test = append(h.Test, testErr)
				line += fmt.Sprintf(", test %.5f", testErr)
			}
			live.epoch(mean, testErr)
			sec := time.Since(t0).Seconds()
			say("%s  %5.1fs\n", line, sec)
		}
		h.Seconds = time.Since(start).Seconds()
		return nil
	})
	live.done()
	if err != nil {
		return nil, err
	}
	say("training %s: done in %.1fs (%.0f images/s), last epoch %s %.5f\n", m.Name, h.Seconds, h.ImagesPerSecond(), m.Loss, h.Final())
	return h, nil
}

// chartTitle is the title of the model's loss chart.
func (m *Model) chartTitle() string {
	name := m.Title
	if name == "" {
		name = m.Name
	}
	return "Training " + name
}

// shortName is a backend's name in one lower-case word, e.g. "go" or "xla".
func shortName(b compute.Backend) string {
	f := strings.Fields(b.Name())
	if len(f) == 0 {
		return "unknown"
	}
	return strings.ToLower(strings.TrimRight(f[0], ":"))
}

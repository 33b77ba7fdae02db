package aelib

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/janpfeifer/gonb/gonbui"
)

// Config holds the training hyperparameters. DefaultConfig gives the
// lecture's. Taught in 02_autoencoder; Noise in 06_denoising.
type Config struct {
	Epochs     int     // passes over the training set
	Batch      int     // images per step; the last, smaller batch of an epoch is kept
	LR         float64 // Adam learning rate
	HalveAfter int     // the learning rate halves after this epoch (0 = never)
	Seed       int64   // initial weights, shuffling and noise all follow it
	Noise      float64 // denoising: std. dev. of Gaussian noise added to inputs (clipped to [0,1]); targets stay clean; 0 = plain AE

	// Quiet stops the progress lines.
	Quiet bool `json:"-"`
	// NoCurve stops the live loss curve (it is drawn only inside a notebook).
	NoCurve bool `json:"-"`
	// OnStep, if set, is called after every step with the epoch (from 1),
	// the step (from 1, counted over all epochs) and that step's loss.
	OnStep func(epoch, step int, loss float64) `json:"-"`
}

// DefaultConfig is the reference training: 20 epochs, batch 64, Adam with
// learning rate 1e-3 halved after epoch 10, seed 42, no noise.
func DefaultConfig() Config {
	return Config{Epochs: 20, Batch: 64, LR: 1e-3, HalveAfter: 10, Seed: 42}
}

// Limits of Config values.
const (
	MaxEpochs = 10000
	MaxNoise  = 1.0
)

// Validate checks the config for a training set of n images. Each bad value
// gives a one-line error naming the value and what is valid.
func (c Config) Validate(n int) error {
	switch {
	case c.Epochs < 1 || c.Epochs > MaxEpochs:
		return fmt.Errorf("aelib: epochs %d invalid: must be 1..%d", c.Epochs, MaxEpochs)
	case c.Batch < 1 || c.Batch > n:
		return fmt.Errorf("aelib: batch %d invalid: must be 1..%d (the number of training images)", c.Batch, n)
	case !finite(c.LR) || c.LR <= 0 || c.LR > 1:
		return fmt.Errorf("aelib: lr %v invalid: must be a number in (0, 1], e.g. 0.001", c.LR)
	case c.HalveAfter < 0:
		return fmt.Errorf("aelib: halve_after %d invalid: must be 0 (never) or an epoch ≥ 1", c.HalveAfter)
	case !finite(c.Noise) || c.Noise < 0 || c.Noise > MaxNoise:
		return fmt.Errorf("aelib: noise %v invalid: must be 0..%v (0 = plain autoencoder)", c.Noise, MaxNoise)
	}
	return nil
}

// LRAt is the learning rate of an epoch (counted from 1): LR, halved for the
// epochs after HalveAfter.
func (c Config) LRAt(epoch int) float64 {
	if c.HalveAfter > 0 && epoch > c.HalveAfter {
		return c.LR / 2
	}
	return c.LR
}

// String prints the hyperparameters in one line, as the flags spell them.
func (c Config) String() string {
	halve := "never halved"
	if c.HalveAfter > 0 {
		halve = fmt.Sprintf("halved after epoch %d", c.HalveAfter)
	}
	s := fmt.Sprintf("epochs=%d batch=%d lr=%g (%s) seed=%d", c.Epochs, c.Batch, c.LR, halve, c.Seed)
	if c.Noise > 0 {
		s += fmt.Sprintf(" noise=%g", c.Noise)
	}
	return s
}

// QuickImages and QuickEpochs bound the work of a training under AELIB_QUICK=1.
const (
	QuickImages = 2000
	QuickEpochs = 2
)

// History records a training run.
type History struct {
	Loss            string    // what Epoch and Steps measure: "mse" (per pixel) or "cross-entropy"
	Epoch           []float64 // mean training loss of each epoch: its step losses weighted by batch size, as the weights were at each step
	Steps           []float64 // loss of every step (batch), for the loss curve
	Seconds         float64   // wall time of the training, compilation included
	ImagesPerSecond float64   // training images processed per second
	Images          int       // training images used
	Backend         string    // backend name, e.g. "go" or "xla"
	Config          Config    // hyperparameters actually used (after AELIB_QUICK)
}

// Final is the mean loss of the last epoch.
func (h *History) Final() float64 {
	if h == nil || len(h.Epoch) == 0 {
		return 0
	}
	return h.Epoch[len(h.Epoch)-1]
}

// Curve draws the per-step loss with the per-epoch means, the figure of
// slide/notebook 02 ("the loss curve").
func (h *History) Curve(title string) (*Figure, error) {
	if h == nil || len(h.Steps) == 0 {
		return nil, fmt.Errorf("aelib: loss curve %q: no training history", title)
	}
	steps := make([]float64, len(h.Steps))
	for i := range steps {
		steps[i] = float64(i + 1)
	}
	per := float64(len(h.Steps)) / float64(max(1, len(h.Epoch)))
	ex := make([]float64, len(h.Epoch))
	for i := range ex {
		ex[i] = per * float64(i+1)
	}
	return Curves(title, "step", h.Loss,
		Series{Name: "each step", X: steps, Y: h.Steps},
		Series{Name: "epoch mean", X: ex, Y: h.Epoch})
}

// prepare applies AELIB_QUICK, then validates. It returns the training set
// and config to use.
func prepare(d *Digits, cfg Config) (*Digits, Config, error) {
	if err := checkDigits(d); err != nil {
		return nil, cfg, err
	}
	if err := cfg.Validate(d.Len()); err != nil {
		return nil, cfg, err
	}
	if Quick() {
		var changes []string
		if cfg.Epochs > QuickEpochs {
			changes = append(changes, fmt.Sprintf("epochs %d→%d", cfg.Epochs, QuickEpochs))
			cfg.Epochs = QuickEpochs
		}
		if d.Len() > QuickImages {
			changes = append(changes, fmt.Sprintf("training images %d→%d", d.Len(), QuickImages))
			d = d.Head(QuickImages)
		}
		if cfg.Batch > d.Len() {
			changes = append(changes, fmt.Sprintf("batch %d→%d", cfg.Batch, d.Len()))
			cfg.Batch = d.Len()
		}
		if len(changes) == 0 {
			changes = append(changes, "nothing to reduce")
		}
		fmt.Printf("%s=1: %s\n", QuickEnv, strings.Join(changes, ", "))
	}
	return d, cfg, nil
}

// Fit trains the autoencoder on train to reconstruct its images, with Adam
// on the per-pixel MSE (mean over batch × 784, like nn.MSELoss). Each epoch
// visits the images in a new order drawn from cfg.Seed, in batches of
// cfg.Batch; the last, smaller batch is kept, like the reference's
// DataLoader (938 batches for 60,000 images). With cfg.Noise > 0 the inputs
// get fresh Gaussian noise each step while the targets stay clean.
//
// On an AE that was never trained nor loaded, Fit first draws its initial
// weights from cfg.Seed, so equal seeds give equal runs on one backend;
// otherwise it continues from the current weights.
//
// It prints the hyperparameters used, then one line per epoch (learning
// rate, mean per-pixel MSE, time); inside a notebook it also draws a live
// loss curve that ends as a static figure (Config.NoCurve turns it off).
// Under AELIB_QUICK=1 it trains at most QuickEpochs epochs on the first
// QuickImages images, and prints what it changed. Adam uses PyTorch's
// defaults (β₁ 0.9, β₂ 0.999, ε 1e-8).
//
// The training images are copied to the backend once; each step sends only
// the batch's indices and gathers the images there.
func (ae *AE) Fit(train *Digits, cfg Config) (*History, error) {
	train, cfg, err := prepare(train, cfg)
	if err != nil {
		return nil, err
	}
	return ae.fit(train, cfg)
}

// fit is Fit after prepare.
func (ae *AE) fit(train *Digits, cfg Config) (*History, error) {
	if ae.fresh {
		if err := initVariables(ae.Backend, ae.Store, cfg.Seed, modelScopes...); err != nil {
			return nil, err
		}
	}
	noise := cfg.Noise
	opt := optimizer.Adam().LearningRate(cfg.LR).Epsilon(1e-8).Done()
	stepFn := func(scope *model.Scope, data, idx *graph.Node) *graph.Node {
		g := data.Graph()
		ae.Store.SetTraining(g, true)
		x := graph.Gather(data, idx)
		in := x
		if noise > 0 {
			in = graph.ClipScalar(graph.Add(x, graph.MulScalar(scope.RandomNormal(g, x.Shape()), noise)), 0, 1)
		}
		y := ae.Decoder(scope.In("decoder"), ae.Encoder(scope.In("encoder"), in))
		loss := graph.ReduceAllMean(graph.Square(graph.Sub(y, x)))
		opt.UpdateGraph(scope, g, loss)
		return loss
	}
	what := fmt.Sprintf("train %s", ae.Name)
	h, err := fitLoop(what, "mse", ae.Backend, ae.Store, train, nil, cfg, func(s *model.Scope, in []*graph.Node) *graph.Node {
		return stepFn(s, in[0], in[1])
	})
	ae.fresh = false // even a failed Fit has changed the weights
	if err != nil {
		return nil, err
	}
	ae.History = h
	return h, nil
}

// fitLoop runs the epochs of a training. step is the graph of one training
// step: inputs are the whole data set [N,784], (labels [N,1] if given) and
// the batch's indices [B,1]; it returns the batch loss after updating the
// weights.
func fitLoop(what, lossName string, backend compute.Backend, store *model.Store, d *Digits, labels []int,
	cfg Config, step func(*model.Scope, []*graph.Node) *graph.Node) (*History, error) {
	n := d.Len()
	h := &History{Loss: lossName, Images: n, Backend: shortName(backend), Config: cfg}
	batches := (n + cfg.Batch - 1) / cfg.Batch
	say := func(format string, args ...any) {
		if !cfg.Quiet {
			fmt.Printf(format, args...)
		}
	}
	say("%s: %d images, %s backend=%s, %d batches/epoch\n", what, n, cfg, h.Backend, batches)
	curve := newLossCurve(what, cfg)

	var exec *model.Exec
	var data, lab *tensors.Tensor
	defer func() {
		for _, t := range []*tensors.Tensor{data, lab} {
			if t != nil {
				t.FinalizeAll()
			}
		}
		if exec != nil {
			exec.Finalize()
		}
	}()
	err := safely(what, func() error {
		var err error
		exec, err = model.NewExec(backend, store, step)
		if err != nil {
			return err
		}
		// The data set goes to the backend once and stays there.
		data = tensors.FromFlatDataAndDimensions(d.X, n, Pixels)
		if err := data.ToDevice(backend, 0); err != nil {
			return err
		}
		if labels != nil {
			l32 := make([]int32, n)
			for i, l := range labels {
				l32[i] = int32(l)
			}
			lab = tensors.FromFlatDataAndDimensions(l32, n, 1)
			if err := lab.ToDevice(backend, 0); err != nil {
				return err
			}
		}
		lrVar := optimizer.LearningRateVar(store.RootScope(), dtypes.Float32, cfg.LR)

		rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0xae))
		start := time.Now()
		idx := make([]int32, cfg.Batch)
		for epoch := 1; epoch <= cfg.Epochs; epoch++ {
			t0 := time.Now()
			lr := cfg.LRAt(epoch)
			if err := lrVar.SetValue(tensors.FromValue(float32(lr))); err != nil {
				return err
			}
			perm := rng.Perm(n)
			sum := 0.0
			for b := 0; b < n; b += cfg.Batch {
				e := min(b+cfg.Batch, n)
				idx = idx[:e-b]
				for i, p := range perm[b:e] {
					idx[i] = int32(p)
				}
				it := tensors.FromFlatDataAndDimensions(idx, e-b, 1)
				args := []any{data, it}
				if lab != nil {
					args = []any{data, lab, it}
				}
				lt, err := exec.Call1(args...)
				it.FinalizeAll()
				if err != nil {
					return fmt.Errorf("epoch %d, step %d: %w", epoch, len(h.Steps)+1, err)
				}
				loss := float64(tensors.ToScalar[float32](lt))
				lt.FinalizeAll()
				if !finite(loss) {
					return fmt.Errorf("epoch %d, step %d: loss is %v: lower the learning rate (lr=%g)", epoch, len(h.Steps)+1, loss, lr)
				}
				h.Steps = append(h.Steps, loss)
				sum += loss * float64(e-b)
				if cfg.OnStep != nil {
					cfg.OnStep(epoch, len(h.Steps), loss)
				}
				curve.step(len(h.Steps), loss)
			}
			mean := sum / float64(n)
			h.Epoch = append(h.Epoch, mean)
			curve.epoch(len(h.Steps), mean)
			sec := time.Since(t0).Seconds()
			say("epoch %2d/%d  lr %-7g %s %.5f  %5.1fs  %6.0f images/s\n", epoch, cfg.Epochs, lr, lossName, mean, sec, float64(n)/sec)
		}
		h.Seconds = time.Since(start).Seconds()
		h.ImagesPerSecond = float64(n*cfg.Epochs) / h.Seconds
		return nil
	})
	curve.done()
	if err != nil {
		return nil, err
	}
	say("%s: done in %.1fs (%.0f images/s), last epoch %s %.5f\n", what, h.Seconds, h.ImagesPerSecond, lossName, h.Final())
	return h, nil
}

// lossCurve feeds a LiveCurve while training runs inside a notebook; outside
// one (or with Config.NoCurve) it does nothing.
type lossCurve struct{ live *LiveCurve }

func newLossCurve(title string, cfg Config) *lossCurve {
	if !gonbui.IsNotebook || cfg.NoCurve {
		return &lossCurve{}
	}
	return &lossCurve{live: NewLiveCurve(title, "each step", "epoch mean")}
}

func (c *lossCurve) step(step int, loss float64) {
	if c.live != nil {
		c.live.Add(0, float64(step), loss)
	}
}

func (c *lossCurve) epoch(step int, mean float64) {
	if c.live != nil {
		c.live.Add(1, float64(step), mean)
	}
}

func (c *lossCurve) done() {
	if c.live != nil {
		c.live.Done()
	}
}

// shortName is a backend's name in one lower-case word, e.g. "go" or "xla".
func shortName(b compute.Backend) string {
	f := strings.Fields(b.Name())
	if len(f) == 0 {
		return "unknown"
	}
	return strings.ToLower(strings.TrimRight(f[0], ":"))
}

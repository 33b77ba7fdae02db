package aelib

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/janpfeifer/gonb/gonbui"
)

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
	err := runGraph("training "+m.Name, func() error {
		var err error
		exec, err = model.NewExec(m.Backend, m.Store, func(scope *model.Scope, all, allLabels, idx *graph.Node) *graph.Node {
			m.Store.SetTraining(all.Graph(), true)
			return step(scope, graph.Gather(all, idx), graph.Gather(allLabels, idx))
		})
		return err
	})
	return exec, err
}

// loop runs the epochs of a training with the compiled step.
func (m *Model) loop(exec *model.Exec, d, test *Digits, cfg Config) (*History, error) {
	n := d.Len()
	batches := (n + cfg.Batch - 1) / cfg.Batch
	h := &History{LossLabel: m.LossLabel, Images: n, Backend: shortName(m.Backend), Config: cfg, StepsPerEpoch: batches}
	say := func(format string, args ...any) {
		if !cfg.Quiet {
			printf(format, args...)
		}
	}
	say("training %s: %d images, %s, %d batches/epoch, backend %s\n", m.Name, n, cfg, batches, h.Backend)
	var live *liveLoss // nil draws nothing
	if gonbui.IsNotebook && !cfg.NoCurve {
		live = newLiveLoss(m.chartTitle(), m.LossLabel, float64(batches))
	}

	var data, labels *tensors.Tensor
	defer func() {
		for _, t := range []*tensors.Tensor{data, labels} {
			if t != nil {
				t.FinalizeAll()
			}
		}
	}()
	err := runGraph("training "+m.Name, func() error {
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
			line := fmt.Sprintf("epoch %2d/%d  lr %-7g %s %.5f", epoch, cfg.Epochs, lr, m.LossLabel, mean)
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
	say("training %s: done in %.1fs (%.0f images/s), last epoch %s %.5f\n", m.Name, h.Seconds, h.imagesPerSecond(), m.LossLabel, h.Final())
	return h, nil
}

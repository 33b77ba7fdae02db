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

// run runs the training loop with a compiled step (and its step loop, or
// nil) and records its History.
func (m *Model) run(exec *model.Exec, lp *stepLoop, train, test *Digits, cfg Config) (*History, error) {
	h, err := m.loop(exec, lp, train, test, cfg)
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

// loop runs the epochs of a training with the compiled step. With a step
// loop lp, the full batches of an epoch run lp.k at a time, in one call
// each, and the last, smaller batch with exec; if lp does not compile, the
// training goes on with one step per call and says why.
func (m *Model) loop(exec *model.Exec, lp *stepLoop, d, test *Digits, cfg Config) (*History, error) {
	n := d.Len()
	batches := (n + cfg.Batch - 1) / cfg.Batch
	h := &History{LossLabel: m.LossLabel, Images: n, Backend: shortName(m.Backend), Config: cfg, StepsPerEpoch: batches, StepsPerCall: 1}
	if lp != nil {
		h.StepsPerCall = lp.k
	}
	say := func(format string, args ...any) {
		if !cfg.Quiet {
			printf(format, args...)
		}
	}
	say("training %s: %d images, %s, %d batches/epoch, backend %s%s\n", m.Name, n, cfg, batches, h.Backend, perCall(h.StepsPerCall))
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
			// record keeps the loss of a step of size images.
			record := func(loss float64, size int) error {
				if len(h.Steps) == 0 {
					h.FirstStep = time.Since(start).Seconds()
					h.FirstCallSteps = 1
				}
				if !finite(loss) {
					return fmt.Errorf("epoch %d, step %d: loss is %v: lower the learning rate (lr=%g)", epoch, len(h.Steps)+1, loss, lr)
				}
				h.Steps = append(h.Steps, loss)
				sum += loss * float64(size)
				live.step(loss)
				return nil
			}
			steps0 := time.Now() // the epoch's steps alone
			b := 0
			for lp != nil && n-b >= cfg.Batch {
				first := len(h.Steps) == 0
				losses, err := lp.call(data, labels, perm[b:], cfg.Batch)
				if err != nil && first {
					// The step does not build as a loop: one step per call.
					say("training %s: one step per call: the step loop did not run (%v)\n", m.Name, err)
					lp, h.StepsPerCall = nil, 1
					break
				}
				if err != nil {
					return fmt.Errorf("epoch %d, steps %d–%d: %w", epoch, len(h.Steps)+1, len(h.Steps)+lp.k, err)
				}
				for i, loss := range losses {
					if err := record(loss, cfg.Batch); err != nil {
						return err
					}
					if first && i == 0 {
						h.FirstCallSteps = len(losses)
					}
				}
				b += len(losses) * cfg.Batch
			}
			for ; b < n; b += cfg.Batch {
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
				if err := record(loss, e-b); err != nil {
					return err
				}
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

// perCall describes how many steps one call runs, for the training line.
func perCall(k int) string {
	if k <= 1 {
		return ""
	}
	return fmt.Sprintf(", %d steps per call", k)
}

// call runs up to lp.k full batches of batch images in one call: the first
// of perm's indices, batch by batch (perm holds at least one batch). It
// returns the loss of each step run.
func (lp *stepLoop) call(data, labels *tensors.Tensor, perm []int, batch int) ([]float64, error) {
	steps := min(lp.k, len(perm)/batch)
	idx := make([]int32, lp.k*batch) // the batches not run stay 0: valid indices, never gathered
	for i, p := range perm[:steps*batch] {
		idx[i] = int32(p)
	}
	it := tensors.FromFlatDataAndDimensions(idx, lp.k, batch, 1)
	defer it.FinalizeAll()
	ct := tensors.FromValue(int32(steps))
	defer ct.FinalizeAll()
	lt, err := lp.exec.Call1(data, labels, it, ct)
	if err != nil {
		return nil, err
	}
	defer lt.FinalizeAll()
	flat, err := tensors.CopyFlatData[float32](lt)
	if err != nil {
		return nil, err
	}
	losses := make([]float64, steps)
	for i := range losses {
		losses[i] = float64(flat[i])
	}
	return losses, nil
}

package aelib

import (
	"fmt"
	"math"
)

// backendOf names the backend a history was trained on.
func backendOf(h *History) string {
	if h == nil || h.Backend == "" {
		return "an unknown backend"
	}
	return h.Backend
}

func describeHistory(h *History) string {
	if h == nil || len(h.Epoch) == 0 {
		return "no history"
	}
	epochs := "epochs"
	if len(h.Epoch) == 1 {
		epochs = "epoch"
	}
	return fmt.Sprintf("%d %s on %d images, last epoch %s %.5f", len(h.Epoch), epochs, h.Images, h.LossLabel, h.Final())
}

// History records a training run.
type History struct {
	LossLabel      string    `json:"Loss"` // names what the step returns on charts, e.g. "per-pixel MSE"
	Steps          []float64 // loss of every step (batch)
	Epoch          []float64 // mean loss of each epoch: its steps' losses weighted by batch size
	Test           []float64 // the model's TestError after each epoch, when measured
	StepsPerEpoch  int
	StepsPerCall   int       // training steps one call of the compiled step ran (the loop setting of Backend; 0 in old checkpoints)
	Seconds        float64   // wall time of the training, compilation included
	FirstStep      float64   // seconds to the end of the first call: building and compiling the graph, then running it once
	FirstCallSteps int       // steps the first call ran: 1, or up to StepsPerCall
	EpochSeconds   []float64 // wall time of each epoch's steps (the first includes FirstStep; the test error is not counted)
	Images         int       // training images used
	Backend        string    // e.g. "xla" or "go"
	Config         Config    // settings actually used (after AELIB_QUICK)
}

// Final is the mean loss of the last epoch.
func (h *History) Final() float64 {
	if h == nil || len(h.Epoch) == 0 {
		return math.NaN()
	}
	return h.Epoch[len(h.Epoch)-1]
}

// imagesPerSecond is the training throughput, compilation included.
func (h *History) imagesPerSecond() float64 {
	return float64(h.Images*len(h.Epoch)) / h.Seconds
}

// WarmImagesPerSecond is the training throughput once the step is compiled:
// the images of the epochs after the first over the time of their steps or,
// after a single epoch, that epoch's images after the first call over the
// time of the calls after it. It is 0 when no time was recorded.
func (h *History) WarmImagesPerSecond() float64 {
	switch {
	case h == nil || len(h.EpochSeconds) == 0:
		return 0
	case len(h.EpochSeconds) == 1:
		rest := h.EpochSeconds[0] - h.FirstStep
		first := h.Config.Batch * max(1, h.FirstCallSteps)
		if rest <= 0 || h.Images <= first {
			return 0
		}
		return float64(h.Images-first) / rest
	}
	sec := 0.0
	for _, s := range h.EpochSeconds[1:] {
		sec += s
	}
	return float64(h.Images*(len(h.EpochSeconds)-1)) / sec
}

// curve draws the loss of every step, the mean of each epoch and the test
// error per epoch against the epoch, on a log scale.
func (h *History) curve(title string) (*Figure, error) {
	if h == nil || len(h.Steps) == 0 {
		return nil, errorf(ErrInvalid, "loss curve %q: no training history", title)
	}
	return lossChart(title, h.LossLabel, h.Steps, float64(max(1, h.StepsPerEpoch)), h.Epoch, h.Test)
}

package aelib

import "fmt"

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

// validate checks the config for a training set of n images. Each bad value
// gives a one-line error naming the value and what is valid.
func (c Config) validate(n int) error {
	switch {
	case c.Epochs < 1 || c.Epochs > maxEpochs:
		return errorf(ErrInvalid, "epochs %d invalid: must be 1..%d", c.Epochs, maxEpochs)
	case c.Batch < 1 || c.Batch > n:
		return errorf(ErrInvalid, "batch %d invalid: must be 1..%d (the number of training images)", c.Batch, n)
	case !finite(c.LR) || c.LR <= 0 || c.LR > 1:
		return errorf(ErrInvalid, "lr %v invalid: must be a number in (0, 1], e.g. 0.001", c.LR)
	case c.HalveAfter < 0:
		return errorf(ErrInvalid, "halve_after %d invalid: must be 0 (never) or an epoch ≥ 1", c.HalveAfter)
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

package aelib

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Pixels is the number of values in one flattened MNIST digit (28×28).
const Pixels = 28 * 28

// Digits holds N flattened grey images with their labels.
// X is row-major [N, Pixels] with values in [0,1]; Labels[i] is the digit 0..9 of image i.
type Digits struct {
	X      []float32
	Labels []int
}

// Len returns the number of images.
func (d *Digits) Len() int { return len(d.Labels) }

// Image returns image i as a slice of Pixels values (a view, not a copy).
func (d *Digits) Image(i int) []float32 { return d.X[i*Pixels : (i+1)*Pixels] }

// Subset returns a copy of the images at the given indices, in that order.
// An index outside 0..Len()-1 is an error.
func (d *Digits) Subset(idx []int) (*Digits, error) {
	s := &Digits{X: make([]float32, 0, len(idx)*Pixels), Labels: make([]int, 0, len(idx))}
	for _, i := range idx {
		if i < 0 || i >= d.Len() {
			return nil, fmt.Errorf("aelib: index %d invalid: valid are 0..%d", i, d.Len()-1)
		}
		s.X = append(s.X, d.Image(i)...)
		s.Labels = append(s.Labels, d.Labels[i])
	}
	return s, nil
}

// Head returns a copy of the first n images (all of them when n ≥ Len).
func (d *Digits) Head(n int) *Digits {
	n = max(0, min(n, d.Len()))
	return &Digits{X: slices.Clone(d.X[:n*Pixels]), Labels: slices.Clone(d.Labels[:n])}
}

// Sample returns n images drawn at random without replacement, the same
// ones for the same seed. Used in 05 for the 10,000 "unlabelled" digits.
func (d *Digits) Sample(n int, seed int64) (*Digits, error) {
	if n < 0 || n > d.Len() {
		return nil, fmt.Errorf("aelib: sample of %d images invalid: valid are 0..%d", n, d.Len())
	}
	perm := rand.New(rand.NewPCG(uint64(seed), 0x5eed)).Perm(d.Len())
	return d.Subset(perm[:n])
}

// Balanced returns perClass images of each digit 0..9 drawn at random, the
// same ones for the same seed, ordered by class. Used in 05 for the 100
// labelled digits (10 per class).
func (d *Digits) Balanced(perClass int, seed int64) (*Digits, error) {
	if perClass < 1 {
		return nil, fmt.Errorf("aelib: %d images per class invalid: must be ≥ 1", perClass)
	}
	perm := rand.New(rand.NewPCG(uint64(seed), 0xba1)).Perm(d.Len())
	var byClass [10][]int
	for _, i := range perm {
		if l := d.Labels[i]; l >= 0 && l < 10 && len(byClass[l]) < perClass {
			byClass[l] = append(byClass[l], i)
		}
	}
	var idx []int
	for c, is := range byClass {
		if len(is) < perClass {
			return nil, fmt.Errorf("aelib: %d images per class invalid: digit %d has only %d", perClass, c, len(is))
		}
		idx = append(idx, is...)
	}
	return d.Subset(idx)
}

// Noisy returns a copy with Gaussian noise of standard deviation factor added
// to every pixel, clipped to [0,1], the same noise for the same seed; the
// labels are kept. Used in 06 (denoising): factor 0.5 is the Keras blog's
// setting, 0.2 TensorFlow's.
func (d *Digits) Noisy(factor float64, seed int64) (*Digits, error) {
	if factor < 0 || math.IsNaN(factor) || math.IsInf(factor, 0) {
		return nil, fmt.Errorf("aelib: noise factor %v invalid: must be a finite number ≥ 0", factor)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x0015e))
	n := &Digits{X: make([]float32, len(d.X)), Labels: slices.Clone(d.Labels)}
	for i, v := range d.X {
		n.X[i] = float32(min(1, max(0, float64(v)+factor*r.NormFloat64())))
	}
	return n, nil
}

// Images returns the images as a slice of per-image views, handy for the
// figure functions (Grid). The views share memory with d.
func (d *Digits) Images() [][]float32 {
	out := make([][]float32, d.Len())
	for i := range out {
		out[i] = d.Image(i)
	}
	return out
}

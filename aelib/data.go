package aelib

import (
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

// subset returns a copy of the images at the given indices, in that order.
// An index outside 0..Len()-1 is an error.
func (d *Digits) subset(idx []int) (*Digits, error) {
	s := &Digits{X: make([]float32, 0, len(idx)*Pixels), Labels: make([]int, 0, len(idx))}
	for _, i := range idx {
		if i < 0 || i >= d.Len() {
			return nil, errorf(ErrInvalid, "index %d invalid: valid are 0..%d", i, d.Len()-1)
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

// sample returns n images drawn at random without replacement, the same
// ones for the same seed.
func (d *Digits) sample(n int, seed int64) (*Digits, error) {
	if n < 0 || n > d.Len() {
		return nil, errorf(ErrInvalid, "sample of %d images invalid: valid are 0..%d", n, d.Len())
	}
	perm := rand.New(rand.NewPCG(uint64(seed), 0x5eed)).Perm(d.Len())
	return d.subset(perm[:n])
}

// Images returns the images as a slice of per-image views, handy for the
// figure functions (Grid). The views share memory with d.
func (d *Digits) Images() [][]float32 {
	out, _ := SplitImages(d.X) // X holds whole images
	return out
}

// SplitImages cuts flat pixels, N images of Pixels values one after the
// other (as a decoder returns them), into N images for Grid. The images
// share flat's memory.
func SplitImages(flat []float32) ([][]float32, error) {
	if len(flat)%Pixels != 0 {
		return nil, errorf(ErrInvalid, "split images: %d values invalid: must be a multiple of %d (28×28 images)", len(flat), Pixels)
	}
	out := make([][]float32, len(flat)/Pixels)
	for i := range out {
		out[i] = flat[i*Pixels : (i+1)*Pixels : (i+1)*Pixels]
	}
	return out, nil
}

func checkImages(x []float32) error {
	if len(x) == 0 || len(x)%Pixels != 0 {
		return errorf(ErrInvalid, "%d pixel values invalid: must be a positive multiple of %d (N flattened 28×28 images)", len(x), Pixels)
	}
	return nil
}

func checkDigits(d *Digits) error {
	if d == nil {
		return errorf(ErrInvalid, "digits nil: load them with aelib.LoadMNIST")
	}
	if len(d.X) != d.Len()*Pixels || d.Len() == 0 {
		return errorf(ErrInvalid, "digits invalid: %d labels but %d pixel values (want %d per image, at least one image)", d.Len(), len(d.X), Pixels)
	}
	return nil
}

// finite reports whether v is a usable number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

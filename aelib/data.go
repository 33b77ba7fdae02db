package aelib

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

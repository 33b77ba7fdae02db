package aelib

import (
	"sort"

	"gonum.org/v1/gonum/mat"
)

// PCA holds the first principal components of a set of images: the
// directions along which the pixels vary most. Notebooks 02 and 04
// compare the autoencoder's code with PCA's projection.
type PCA struct {
	Mean       []float64   // mean image, Pixels values
	components [][]float64 // k unit vectors of Pixels values, most variance first
	variance   []float64   // the variance along each component
}

// pcaSample is how many images FitPCA uses at most: 10,000 digits give the
// leading components of MNIST to within a fraction of a degree.
const pcaSample = 10000

// FitPCA finds the first k principal components of d's images (at most
// 10,000 of them, drawn with a fixed seed, are used).
func FitPCA(d *Digits, k int) (*PCA, error) {
	if k < 1 || k > Pixels {
		return nil, errorf(ErrInvalid, "PCA with %d components invalid: must be 1..%d", k, Pixels)
	}
	if d.Len() < 2 {
		return nil, errorf(ErrInvalid, "PCA of %d images invalid: need at least 2", d.Len())
	}
	if d.Len() > pcaSample {
		var err error
		if d, err = d.sample(pcaSample, 1); err != nil {
			return nil, err
		}
	}
	n := d.Len()
	mean := make([]float64, Pixels)
	for i := range n {
		for j, v := range d.Image(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	x := mat.NewDense(n, Pixels, nil)
	for i := range n {
		row := d.Image(i)
		for j := range Pixels {
			x.Set(i, j, float64(row[j])-mean[j])
		}
	}
	var cov mat.SymDense
	cov.SymOuterK(1/float64(n-1), x.T())
	var eig mat.EigenSym
	if !eig.Factorize(&cov, true) {
		return nil, errorf(nil, "PCA: eigen-decomposition did not converge")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return vals[order[a]] > vals[order[b]] })
	p := &PCA{Mean: mean}
	for _, c := range order[:k] {
		p.components = append(p.components, mat.Col(nil, c, &vecs))
		p.variance = append(p.variance, vals[c])
	}
	return p, nil
}

// Project maps images x ([N*Pixels]) to their coordinates on the components,
// [N*k] row-major.
func (p *PCA) Project(x []float32) ([]float32, error) {
	if len(x)%Pixels != 0 {
		return nil, errorf(ErrInvalid, "PCA project: %d values are not whole images of %d", len(x), Pixels)
	}
	n, k := len(x)/Pixels, len(p.components)
	out := make([]float32, n*k)
	for i := range n {
		img := x[i*Pixels : (i+1)*Pixels]
		for c, comp := range p.components {
			var s float64
			for j, v := range img {
				s += (float64(v) - p.Mean[j]) * comp[j]
			}
			out[i*k+c] = float32(s)
		}
	}
	return out, nil
}

// Reconstruct maps coordinates on the components ([N*k], as Project gives)
// back to images ([N*Pixels]): the mean image plus each coordinate times its
// component. It is PCA's best linear reconstruction from k numbers, the
// baseline of 02_autoencoder.
func (p *PCA) Reconstruct(coords []float32) ([]float32, error) {
	k := len(p.components)
	if len(coords)%k != 0 {
		return nil, errorf(ErrInvalid, "PCA reconstruct: %d values invalid: must be a multiple of the %d components", len(coords), k)
	}
	n := len(coords) / k
	out := make([]float32, n*Pixels)
	for i := range n {
		img := out[i*Pixels : (i+1)*Pixels]
		for j := range img {
			s := p.Mean[j]
			for c, comp := range p.components {
				s += float64(coords[i*k+c]) * comp[j]
			}
			img[j] = float32(s)
		}
	}
	return out, nil
}

// Nearest returns, for each query code, the indices of the k reference codes
// closest to it (Euclidean distance), nearest first; equal distances keep
// the lower index first. Codes are row-major, dim numbers each. Notebook 04
// finds a digit's look-alikes with it (a query that is one of the reference
// codes finds itself first), and with Vote classifies digits by their
// neighbours.
func Nearest(ref, query []float32, dim, k int) ([][]int, error) {
	switch {
	case dim < 1:
		return nil, errorf(ErrInvalid, "nearest: code dimension %d invalid: must be ≥ 1", dim)
	case len(ref)%dim != 0 || len(query)%dim != 0 || len(query) == 0:
		return nil, errorf(ErrInvalid, "nearest: %d reference and %d query values invalid: must be whole codes of %d numbers, at least one query", len(ref), len(query), dim)
	case k < 1 || k > len(ref)/dim:
		return nil, errorf(ErrInvalid, "nearest: k=%d invalid: must be 1..%d (the reference codes)", k, len(ref)/dim)
	}
	out := make([][]int, len(query)/dim)
	for q := range out {
		out[q] = nearest(ref, dim, query[q*dim:(q+1)*dim], k)
	}
	return out, nil
}

// Vote returns, for each list of neighbours (indices into labels, nearest
// first, as Nearest gives them), the digit most of them carry; a tie goes to
// the digit of the nearer neighbour. Nearest followed by Vote is the
// k-nearest-neighbour classifier.
func Vote(neighbours [][]int, labels []int) ([]int, error) {
	out := make([]int, len(neighbours))
	for q, nb := range neighbours {
		if len(nb) == 0 {
			return nil, errorf(ErrInvalid, "vote: query %d has no neighbours", q)
		}
		var votes [10]int
		for _, i := range nb {
			if i < 0 || i >= len(labels) {
				return nil, errorf(ErrInvalid, "vote: neighbour %d of query %d invalid: valid are 0..%d", i, q, len(labels)-1)
			}
			l := labels[i]
			if l < 0 || l > 9 {
				return nil, errorf(ErrInvalid, "vote: label %d of neighbour %d invalid: labels are 0..9", l, i)
			}
			votes[l]++
		}
		best := labels[nb[0]]
		for _, i := range nb { // nearest first: among the most named digits, the nearer wins
			if votes[labels[i]] > votes[best] {
				best = labels[i]
			}
		}
		out[q] = best
	}
	return out, nil
}

// nearest returns the k codes closest to q, nearest first.
func nearest(codes []float32, dim int, q []float32, k int) []int {
	idx := make([]int, 0, k+1)
	dist := make([]float64, 0, k+1)
	for i := 0; i < len(codes)/dim; i++ {
		var d float64
		for j := range dim {
			t := float64(codes[i*dim+j] - q[j])
			d += t * t
		}
		if len(idx) == k && d >= dist[k-1] {
			continue
		}
		pos := sort.SearchFloat64s(dist, d)
		for pos < len(dist) && dist[pos] == d {
			pos++ // equal distances keep the earlier index first
		}
		idx = append(idx[:pos], append([]int{i}, idx[pos:]...)...)
		dist = append(dist[:pos], append([]float64{d}, dist[pos:]...)...)
		if len(idx) > k {
			idx, dist = idx[:k], dist[:k]
		}
	}
	return idx
}

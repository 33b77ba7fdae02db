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
	Components [][]float64 // k unit vectors of Pixels values, most variance first
	Variance   []float64   // the variance along each component
}

// pcaSample is how many images FitPCA uses at most: 10,000 digits give the
// leading components of MNIST to within a fraction of a degree.
const pcaSample = 10000

// FitPCA finds the first k principal components of d's images (at most
// 10,000 of them, drawn with a fixed seed, are used).
func FitPCA(d *Digits, k int) (*PCA, error) {
	if k < 1 || k > Pixels {
		return nil, errorf("PCA with %d components invalid: must be 1..%d", k, Pixels)
	}
	if d.Len() < 2 {
		return nil, errorf("PCA of %d images invalid: need at least 2", d.Len())
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
		return nil, errorf("PCA: eigen-decomposition did not converge")
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
		p.Components = append(p.Components, mat.Col(nil, c, &vecs))
		p.Variance = append(p.Variance, vals[c])
	}
	return p, nil
}

// Project maps images x ([N*Pixels]) to their coordinates on the components,
// [N*k] row-major.
func (p *PCA) Project(x []float32) ([]float32, error) {
	if len(x)%Pixels != 0 {
		return nil, errorf("PCA project: %d values are not whole images of %d", len(x), Pixels)
	}
	n, k := len(x)/Pixels, len(p.Components)
	out := make([]float32, n*k)
	for i := range n {
		img := x[i*Pixels : (i+1)*Pixels]
		for c, comp := range p.Components {
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
	k := len(p.Components)
	if len(coords)%k != 0 {
		return nil, errorf("PCA reconstruct: %d values invalid: must be a multiple of the %d components", len(coords), k)
	}
	n := len(coords) / k
	out := make([]float32, n*Pixels)
	for i := range n {
		img := out[i*Pixels : (i+1)*Pixels]
		for j := range img {
			s := p.Mean[j]
			for c, comp := range p.Components {
				s += float64(coords[i*k+c]) * comp[j]
			}
			img[j] = float32(s)
		}
	}
	return out, nil
}

// KNNAccuracy classifies every query code by a majority vote of its k
// nearest reference codes (Euclidean distance, ties to the nearer
// neighbour) and returns the fraction classified correctly. Codes are
// row-major [N*dim]. Notebook 04 uses it to test whether digits of a class
// sit close together in the code space.
func KNNAccuracy(ref []float32, refLabels []int, query []float32, queryLabels []int, dim, k int) (float64, error) {
	switch {
	case dim < 1:
		return 0, errorf("kNN: code dimension %d invalid: must be ≥ 1", dim)
	case len(ref) != dim*len(refLabels) || len(query) != dim*len(queryLabels):
		return 0, errorf("kNN: %d reference and %d query values do not match %d and %d labels of dimension %d",
			len(ref), len(query), len(refLabels), len(queryLabels), dim)
	case k < 1 || k > len(refLabels):
		return 0, errorf("kNN: k=%d invalid: must be 1..%d (the reference codes)", k, len(refLabels))
	case len(queryLabels) == 0:
		return 0, errorf("kNN: no query codes")
	}
	correct := 0
	for q := range queryLabels {
		nb := nearest(ref, dim, query[q*dim:(q+1)*dim], k, -1)
		var votes [10]int
		best, bestVotes := -1, 0
		for _, i := range nb { // nearest first, so a tie goes to the nearer class
			l := refLabels[i]
			if l < 0 || l > 9 {
				return 0, errorf("kNN: label %d of reference %d invalid: labels are 0..9", l, i)
			}
			votes[l]++
			if votes[l] > bestVotes {
				best, bestVotes = l, votes[l]
			}
		}
		if best == queryLabels[q] {
			correct++
		}
	}
	return float64(correct) / float64(len(queryLabels)), nil
}

// Nearest returns the indices of the n codes closest to code number query
// (itself excluded), nearest first. Notebook 04 uses it for retrieval.
func Nearest(codes []float32, dim, query, n int) ([]int, error) {
	if dim < 1 || len(codes)%dim != 0 {
		return nil, errorf("nearest: %d values are not codes of dimension %d", len(codes), dim)
	}
	total := len(codes) / dim
	if query < 0 || query >= total {
		return nil, errorf("nearest: query %d invalid: valid are 0..%d", query, total-1)
	}
	if n < 1 || n > total-1 {
		return nil, errorf("nearest: n=%d invalid: must be 1..%d", n, total-1)
	}
	return nearest(codes, dim, codes[query*dim:(query+1)*dim], n, query), nil
}

// nearest returns the k codes closest to q, nearest first, skipping index skip.
func nearest(codes []float32, dim int, q []float32, k, skip int) []int {
	idx := make([]int, 0, k+1)
	dist := make([]float64, 0, k+1)
	for i := 0; i < len(codes)/dim; i++ {
		if i == skip {
			continue
		}
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

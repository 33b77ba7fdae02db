package aelib

import (
	"math"
	"slices"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Referee judges whether images are digits by the training digit they
// resemble most: both are blurred a little (3×3) and compared by cosine
// similarity, and an image is accepted when its similarity to the most
// similar of the 60,000 training digits reaches Threshold. It names the digit
// that the 5 most similar training digits vote for. 05_generation explains it
// and tests it on real digits and on five kinds of non-digits before any
// claim uses it; 08_vae uses the same referee.
type Referee struct {
	Threshold float64 // accepted: a cosine similarity of at least this

	m      *Model
	labels []int // of the training digits
}

// NewReferee loads the training digits into a referee and sets its
// Threshold: the similarity that a share accept (for example 0.95) of the
// first n test digits reach. Those n test digits calibrate it; judge others
// to test it.
func NewReferee(accept float64, n int) (*Referee, error) {
	train, test, err := LoadMNIST()
	if err != nil {
		return nil, err
	}
	return newReferee(train, test, accept, n)
}

// newReferee is NewReferee with the digits it knows (train) and those it is
// calibrated on (the first n of test).
func newReferee(train, test *Digits, accept float64, n int) (*Referee, error) {
	if !(accept > 0 && accept < 1) || n < 1 || n > test.Len() {
		return nil, errorf(ErrInvalid, "referee: accept %v and %d calibration digits invalid: accept must be in (0, 1), digits 1..%d", accept, n, test.Len())
	}
	m, err := NewModel("nearest-digit", "the nearest-digit referee", "")
	if err != nil {
		return nil, err
	}
	digits := tensors.FromFlatDataAndDimensions(unitLength(blurred(train.X)), train.Len(), Pixels)
	err = runGraph("loading the referee's digits", func() error {
		_, err := m.Store.RootScope().In("referee").CreateVariable("digits", digits)
		return err
	})
	if err != nil {
		return nil, err
	}
	r := &Referee{m: m, labels: train.Labels, Threshold: math.Inf(1)}
	similarity, _, _, err := r.Judge(test.X[:n*Pixels])
	if err != nil {
		return nil, err
	}
	slices.Sort(similarity)
	r.Threshold = similarity[int((1-accept)*float64(len(similarity)))]
	return r, nil
}

// Judge returns, for each image of x (N·784 pixels), its similarity to the
// most similar training digit, whether the referee accepts it, and the digit
// the 5 most similar training digits vote for (a tie goes to the digit of
// the more similar one).
func (r *Referee) Judge(x []float32) (similarity []float64, accepted []bool, digit []int, err error) {
	if err := checkImages(x); err != nil {
		return nil, nil, nil, err
	}
	out, width, err := r.m.Apply(mostSimilar, unitLength(blurred(x)))
	if err != nil {
		return nil, nil, nil, err
	}
	var neighbours [][]int // of each image: its 5 most similar training digits, most similar first
	for i := 0; i < len(out); i += width {
		var nb []int
		for j := 5; j < 10; j++ {
			nb = append(nb, int(out[i+j]))
		}
		neighbours = append(neighbours, nb)
		similarity = append(similarity, float64(out[i]))
		accepted = append(accepted, float64(out[i]) >= r.Threshold)
	}
	digit, err = Vote(neighbours, r.labels)
	return similarity, accepted, digit, err
}

// mostSimilar is the referee's graph: for images x [N, 784] (blurred, length
// 1), the cosine similarities to the 5 most similar training digits and those
// digits' indices, [N, 10].
func mostSimilar(scope *model.Scope, x *graph.Node) *graph.Node {
	digits := scope.In("referee").GetVariable("digits").ValueGraph(x) // [60000, 784], blurred, length 1
	similarity := graph.MatMul(x, graph.Transpose(digits, 0, 1))      // [N, 60000]
	best, index := graph.TopK(similarity, 5, -1)
	return graph.Concatenate([]*graph.Node{best, graph.ConvertDType(index, dtypes.Float32)}, -1)
}

// blurred returns the images softened by a 3×3 kernel: each pixel becomes a
// weighted mean of itself (4/16), its 4 edge neighbours (2/16 each) and its 4
// corner neighbours (1/16 each); outside the image counts as 0.
func blurred(x []float32) []float32 {
	k := [3]float32{0.25, 0.5, 0.25}
	out := make([]float32, len(x))
	for i := 0; i < len(x); i += Pixels {
		for r := range 28 {
			for c := range 28 {
				var s float32
				for dr := -1; dr <= 1; dr++ {
					for dc := -1; dc <= 1; dc++ {
						if r+dr >= 0 && r+dr < 28 && c+dc >= 0 && c+dc < 28 {
							s += k[dr+1] * k[dc+1] * x[i+(r+dr)*28+c+dc]
						}
					}
				}
				out[i+r*28+c] = s
			}
		}
	}
	return out
}

// unitLength scales each image to length 1 as a vector of 784 numbers (an
// empty image stays 0), so that the dot product of two is their cosine
// similarity.
func unitLength(x []float32) []float32 {
	out := make([]float32, len(x))
	for i := 0; i < len(x); i += Pixels {
		var sum float64
		for _, v := range x[i : i+Pixels] {
			sum += float64(v) * float64(v)
		}
		if sum > 0 {
			scale := float32(1 / math.Sqrt(sum))
			for j := range Pixels {
				out[i+j] = x[i+j] * scale
			}
		}
	}
	return out
}

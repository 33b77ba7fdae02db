package aelib

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Running a model's graphs: the AE's inference, weight initialisation, and
// turning GoMLX's panics into errors.

// defaultSeed initialises the weights of a model used before it is trained.
const defaultSeed = 42

// inferenceBatch is how many images inference sends to the backend at once.
const inferenceBatch = 1000

// Encode maps flattened images x (N·784 values, e.g. test.X) to their
// codes, row-major [N, CodeDim].
func (ae *AE) Encode(x []float32) ([]float32, error) {
	if err := checkImages(x); err != nil {
		return nil, err
	}
	if err := ae.ready(); err != nil {
		return nil, err
	}
	var err error
	if ae.encExec == nil {
		ae.encExec, err = model.NewExec(ae.Backend, ae.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			return ae.Encoder(scope.In("encoder"), x)
		})
		if err != nil {
			return nil, err
		}
	}
	return runBatches(ae.encExec, x, Pixels, ae.CodeDim, "encoding")
}

// Decode maps codes (row-major [N, CodeDim]) to images, N·784 values in
// [0,1] for the reference decoder. Any code works, also those outside [-1,1]².
func (ae *AE) Decode(codes []float32) ([]float32, error) {
	dim := ae.CodeDim
	if len(codes) == 0 || len(codes)%dim != 0 {
		return nil, errorf(ErrInvalid, "%d code values invalid: model %q decodes codes of %d numbers: give a positive multiple of %d", len(codes), ae.Name, dim, dim)
	}
	if err := ae.ready(); err != nil {
		return nil, err
	}
	if ae.decExec == nil {
		var err error
		ae.decExec, err = model.NewExec(ae.Backend, ae.Store, func(scope *model.Scope, z *graph.Node) *graph.Node {
			return ae.Decoder(scope.In("decoder"), z)
		})
		if err != nil {
			return nil, err
		}
	}
	return runBatches(ae.decExec, codes, dim, Pixels, "decoding")
}

// Reconstruct runs images x (N·784 values) through encoder and decoder.
func (ae *AE) Reconstruct(x []float32) ([]float32, error) {
	if err := checkImages(x); err != nil {
		return nil, err
	}
	if err := ae.ready(); err != nil {
		return nil, err
	}
	if ae.recExec == nil {
		var err error
		ae.recExec, err = model.NewExec(ae.Backend, ae.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			return ae.Decoder(scope.In("decoder"), ae.Encoder(scope.In("encoder"), x))
		})
		if err != nil {
			return nil, err
		}
	}
	return runBatches(ae.recExec, x, Pixels, Pixels, "reconstructing")
}

// MSE is the per-pixel mean squared error of reconstructing d: the mean over
// all images and all 784 pixels of (x̂ − x)². This is the quantity the
// reference trains on (nn.MSELoss), averaged over a whole set, and the one
// History reports.
func (ae *AE) MSE(d *Digits) (float64, error) {
	if err := checkDigits(d); err != nil {
		return 0, err
	}
	if err := ae.ready(); err != nil {
		return 0, err
	}
	if ae.mseExec == nil {
		var err error
		ae.mseExec, err = model.NewExec(ae.Backend, ae.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			y := ae.Decoder(scope.In("decoder"), ae.Encoder(scope.In("encoder"), x))
			return graph.ReduceAllSum(graph.Square(graph.Sub(y, x)))
		})
		if err != nil {
			return 0, err
		}
	}
	sums, err := runBatches(ae.mseExec, d.X, Pixels, 1, "evaluating")
	if err != nil {
		return 0, err
	}
	total := 0.0
	for _, s := range sums {
		total += float64(s)
	}
	return total / float64(len(d.X)), nil
}

// ready initialises the weights from defaultSeed if nothing did yet.
func (ae *AE) ready() error {
	return initVariables(ae.Backend, ae.Store, defaultSeed, nil)
}

// Apply runs f (built in the model's root scope, with its weights) on
// images x (N·784 values) and returns its outputs, row-major [N, width]:
// for instance a classifier's probabilities for each digit (05).
func (m *Model) Apply(f Layer, x []float32) (out []float32, width int, err error) {
	if err := checkImages(x); err != nil {
		return nil, 0, err
	}
	if err := initVariables(m.Backend, m.Store, defaultSeed, nil); err != nil {
		return nil, 0, err
	}
	var exec *model.Exec
	err = runGraph("applying "+m.Name, func() error {
		var err error
		exec, err = model.NewExec(m.Backend, m.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			y := f(scope, x)
			if y.Rank() != 2 {
				panic(fmt.Sprintf("the function gives shape %s: want [N, width]", y.Shape()))
			}
			width = y.Shape().Dimensions[1]
			return y
		})
		if err != nil {
			return err
		}
		_, err = exec.Compile(shapes.Make(dtypes.Float32, min(len(x)/Pixels, inferenceBatch), Pixels))
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	defer exec.Finalize()
	out, err = runBatches(exec, x, Pixels, width, "applying "+m.Name)
	return out, width, err
}

// runBatches feeds x (rows of width in) through exec in batches of
// inferenceBatch rows and concatenates the outputs (rows of width out).
func runBatches(exec *model.Exec, x []float32, in, out int, what string) ([]float32, error) {
	n := len(x) / in
	res := make([]float32, 0, n*out)
	err := runGraph(what, func() error {
		for start := 0; start < n; start += inferenceBatch {
			end := min(start+inferenceBatch, n)
			t := tensors.FromFlatDataAndDimensions(x[start*in:end*in], end-start, in)
			y, err := exec.Call1(t)
			t.FinalizeAll()
			if err != nil {
				return err
			}
			flat, err := tensors.CopyFlatData[float32](y)
			y.FinalizeAll()
			if err != nil {
				return err
			}
			if len(flat) != (end-start)*out && !(out == 1 && len(flat) == 1) {
				return fmt.Errorf("graph gave %d values for %d rows, want %d per row", len(flat), end-start, out)
			}
			res = append(res, flat...)
		}
		return nil
	})
	return res, err
}

package aelib

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// Layer is a graph function: it maps a batch x [N, in] to [N, out], creating
// its variables in scope. Encoders, decoders and classifier heads are Layers;
// a notebook writes its own as a plain Go func. Taught in 02_autoencoder.
type Layer func(scope *model.Scope, x *graph.Node) *graph.Node

// MLP returns a stack of Dense layers (a multi-layer perceptron) with the
// given output sizes: act after each hidden layer, outAct after the last,
// each a graph function such as graph.Tanh, graph.Sigmoid or
// activation.Relu; nil applies none (a linear layer). Layer i is a Linear
// layer in sub-scope "dense_<i>".
//
//	encoder, err := aelib.MLP([]int{256, 128, 64, 2}, graph.Tanh, graph.Tanh)
func MLP(sizes []int, act, outAct func(*graph.Node) *graph.Node) (Layer, error) {
	if len(sizes) == 0 {
		return nil, errorf(ErrInvalid, "MLP sizes empty: give at least one layer size")
	}
	for i, n := range sizes {
		if n < 1 {
			return nil, errorf(ErrInvalid, "MLP size %d (layer %d) invalid: sizes must be ≥ 1", n, i)
		}
	}
	sizes = slices.Clone(sizes)
	return func(scope *model.Scope, x *graph.Node) *graph.Node {
		for i, n := range sizes {
			x = Linear(scope.In("dense_%d", i), x, n)
			f := act
			if i == len(sizes)-1 {
				f = outAct
			}
			if f != nil {
				x = f(x)
			}
		}
		return x
	}, nil
}

// Linear is a Dense layer (x·W + b, GoMLX's layers.DenseWithBias) whose
// initial weights and biases are drawn like PyTorch's nn.Linear: uniform in
// ±1/√fan_in, fan_in being x's width. GoMLX's default (He normal, zero
// biases) draws weights ≈2.4× larger, which with Tanh layers and a 2-D code
// trains the reference AE to a worse minimum. MLP uses Linear.
func Linear(scope *model.Scope, x *graph.Node, size int) *graph.Node {
	fanIn := x.Shape().Dimensions[x.Rank()-1]
	bound := 1 / math.Sqrt(float64(max(1, fanIn)))
	store := scope.Store()
	scope = scope.WithInitializer(func(g *graph.Graph, shape shapes.Shape) *graph.Node {
		u := store.RandomUniform(g, shape) // [0, 1)
		return graph.MulScalar(graph.AddScalar(u, -0.5), 2*bound)
	})
	return layers.DenseWithBias(scope, x, size)
}

// denseParams counts the weights and biases of a stack of Dense layers whose
// widths, input first, are given: denseParams(784, 256, 128, 64, 2) = 242,242
// (784·256+256 + 256·128+128 + 128·64+64 + 64·2+2).
func denseParams(widths ...int) int {
	total := 0
	for i := 1; i < len(widths); i++ {
		total += widths[i-1]*widths[i] + widths[i]
	}
	return total
}

// The reference model of the lecture (slide 10): encoder 784-256-128-64-2,
// decoder 2-64-128-256-784.
var (
	referenceEncoderSizes = []int{256, 128, 64, 2}
	referenceDecoderSizes = []int{64, 128, 256, Pixels}
)

// referenceParams is the parameter count of the reference autoencoder:
// 242,242 (encoder) + 243,024 (decoder) = 485,266.
var referenceParams = denseParams(append([]int{Pixels}, referenceEncoderSizes...)...) +
	denseParams(append([]int{referenceEncoderSizes[len(referenceEncoderSizes)-1]}, referenceDecoderSizes...)...)

// ReferenceAE builds the lecture's autoencoder, 784-256-128-64-2-64-128-256-784
// (Tanh everywhere, Sigmoid output), named "reference", its layers drawn
// like PyTorch's (see Linear): the model 02_autoencoder writes out, for the
// notebooks after it. Trained with its Step and 02's settings, it finds
// 02's checkpoint.
func ReferenceAE() (*AE, error) {
	enc, err := MLP(referenceEncoderSizes, graph.Tanh, graph.Tanh)
	if err != nil {
		return nil, err
	}
	dec, err := MLP(referenceDecoderSizes, graph.Tanh, graph.Sigmoid)
	if err != nil {
		return nil, err
	}
	ae, err := NewAE("reference", enc, dec)
	if err != nil {
		return nil, err
	}
	if n := ae.NumParams(); n != referenceParams {
		return nil, errorf(ErrInvalid, "reference AE has %d parameters, want %d", n, referenceParams)
	}
	ae.Title = "the lecture's 2-D autoencoder"
	return ae, nil
}

// AE is an autoencoder: an Encoder that maps images [N,784] to codes [N,dim]
// and a Decoder that maps codes back to images. Their variables live in the
// model's store under the scopes "encoder" and "decoder", so Encode, Decode,
// Reconstruct, MSE and training all share the same weights.
// Taught in 02_autoencoder.
type AE struct {
	*Model
	Encoder Layer // runs in scope "encoder"
	Decoder Layer // runs in scope "decoder"
	CodeDim int   // width of the code, e.g. 2

	encExec, decExec, recExec, mseExec *model.Exec
}

// NewAE wraps a notebook's own encoder and decoder into an AE on the
// notebooks' backend. It builds their graph once for a single image to
// create the variables and check the shapes: the decoder must give Pixels
// (784) values per image. The weights are drawn when the AE is first
// trained or used.
func NewAE(name string, encoder, decoder Layer) (*AE, error) {
	if encoder == nil || decoder == nil {
		return nil, errorf(ErrInvalid, "NewAE(%q): encoder and decoder must both be given", name)
	}
	m, err := NewModel(name, "", "per-pixel MSE")
	if err != nil {
		return nil, err
	}
	ae := &AE{Model: m, Encoder: encoder, Decoder: decoder}
	var codeShape, outShape shapes.Shape
	err = buildForOne(m.Store, "building "+name, func(scope *model.Scope, x *graph.Node) *graph.Node {
		code := encoder(scope.In("encoder"), x)
		codeShape = code.Shape()
		out := decoder(scope.In("decoder"), code)
		outShape = out.Shape()
		return out
	})
	if err != nil {
		return nil, err
	}
	if codeShape.Rank() != 2 || codeShape.Dimensions[0] != 1 {
		return nil, errorf(ErrInvalid, "encoder of %q gives shape %s for one image: want [1, dim]", name, codeShape)
	}
	if !outShape.Equal(shapes.Make(dtypes.Float32, 1, Pixels)) {
		return nil, errorf(ErrInvalid, "decoder of %q gives shape %s for one image: want [1, %d] float32", name, outShape, Pixels)
	}
	ae.CodeDim = codeShape.Dimensions[1]
	ae.Title = fmt.Sprintf("the autoencoder with a %d-number code", ae.CodeDim)
	ae.TestError = ae.MSE
	return ae, nil
}

// Step is the autoencoder's training step as 02_autoencoder writes it: the
// per-pixel MSE between the reconstruction and the input, minimised by Adam
// (β₁ 0.9, β₂ 0.999, ε 1e-8 as PyTorch's; the learning rate is Train's).
// Later notebooks train or load 02's model with it.
func (ae *AE) Step(scope *model.Scope, x, _ *graph.Node) *graph.Node {
	y := ae.Decoder(scope.In("decoder"), ae.Encoder(scope.In("encoder"), x))
	loss := graph.ReduceAllMean(graph.Square(graph.Sub(y, x)))
	optimizer.Adam().Epsilon(1e-8).Done().UpdateGraph(scope, x.Graph(), loss)
	return loss
}

// NumParams counts the numbers in the encoder's and decoder's variables.
func (ae *AE) NumParams() int { return ae.EncoderParams() + ae.DecoderParams() }

// EncoderParams counts the numbers in the variables of scope "encoder".
func (ae *AE) EncoderParams() int { return scopeParams(ae.Store, "/encoder") }

// DecoderParams counts the numbers in the variables of scope "decoder".
func (ae *AE) DecoderParams() int { return scopeParams(ae.Store, "/decoder") }

// String describes the model in one line.
func (ae *AE) String() string {
	return fmt.Sprintf("AE %q: code dim %d, %d parameters (encoder %d + decoder %d)",
		ae.Name, ae.CodeDim, ae.NumParams(), ae.EncoderParams(), ae.DecoderParams())
}

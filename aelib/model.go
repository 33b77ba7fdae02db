package aelib

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
)

// Layer is a graph function: it maps a batch x [N, in] to [N, out], creating
// its variables in scope. Encoders, decoders and classifier heads are Layers;
// a notebook writes its own as a plain Go func. Taught in 02_autoencoder.
type Layer func(scope *model.Scope, x *graph.Node) *graph.Node

// Activations lists the activation names MLP accepts.
var Activations = []string{"tanh", "relu", "sigmoid", "linear"}

// activationFn returns the graph function of an activation name, or an error
// naming the valid ones.
func activationFn(name string) (func(*graph.Node) *graph.Node, error) {
	switch name {
	case "tanh":
		return graph.Tanh, nil
	case "relu":
		return activation.Relu, nil
	case "sigmoid":
		return graph.Sigmoid, nil
	case "linear":
		return func(x *graph.Node) *graph.Node { return x }, nil
	}
	return nil, fmt.Errorf("aelib: activation %q invalid: must be one of %s", name, strings.Join(Activations, ", "))
}

// MLP returns a stack of Dense layers (a multi-layer perceptron) with the
// given output sizes: act after each hidden layer, outAct after the last.
// Layer i is a Linear layer in sub-scope "dense_<i>". Names are checked
// here, so a typo is an error now rather than a panic inside the graph.
//
//	encoder, err := aelib.MLP([]int{256, 128, 64, 2}, "tanh", "tanh")
func MLP(sizes []int, act, outAct string) (Layer, error) {
	if len(sizes) == 0 {
		return nil, fmt.Errorf("aelib: MLP sizes empty: give at least one layer size")
	}
	for i, n := range sizes {
		if n < 1 {
			return nil, fmt.Errorf("aelib: MLP size %d (layer %d) invalid: sizes must be ≥ 1", n, i)
		}
	}
	hidden, err := activationFn(act)
	if err != nil {
		return nil, err
	}
	last, err := activationFn(outAct)
	if err != nil {
		return nil, err
	}
	sizes = slices.Clone(sizes)
	return func(scope *model.Scope, x *graph.Node) *graph.Node {
		for i, n := range sizes {
			x = Linear(scope.In("dense_%d", i), x, n)
			if i < len(sizes)-1 {
				x = hidden(x)
			} else {
				x = last(x)
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

// DenseParams counts the weights and biases of a stack of Dense layers whose
// widths, input first, are given: DenseParams(784, 256, 128, 64, 2) = 242,242
// (784·256+256 + 256·128+128 + 128·64+64 + 64·2+2).
func DenseParams(widths ...int) int {
	total := 0
	for i := 1; i < len(widths); i++ {
		total += widths[i-1]*widths[i] + widths[i]
	}
	return total
}

// The reference model of the lecture (slide 10).
var (
	// ReferenceEncoderSizes are the encoder's layer widths after the 784 inputs.
	ReferenceEncoderSizes = []int{256, 128, 64, 2}
	// ReferenceDecoderSizes are the decoder's layer widths after the 2-D code.
	ReferenceDecoderSizes = []int{64, 128, 256, Pixels}
)

// ReferenceEncoder is the lecture's encoder: Dense 784→256→128→64→2, Tanh
// after every layer, so the 2-D code lies in [-1,1]².
func ReferenceEncoder() Layer {
	l, _ := MLP(ReferenceEncoderSizes, "tanh", "tanh")
	return l
}

// ReferenceDecoder is the lecture's decoder: Dense 2→64→128→256→784, Tanh
// after the hidden layers and a Sigmoid at the end, so pixels lie in [0,1].
func ReferenceDecoder() Layer {
	l, _ := MLP(ReferenceDecoderSizes, "tanh", "sigmoid")
	return l
}

// ReferenceParams is the parameter count of the reference autoencoder:
// 242,242 (encoder) + 243,024 (decoder) = 485,266.
var ReferenceParams = DenseParams(append([]int{Pixels}, ReferenceEncoderSizes...)...) +
	DenseParams(append([]int{ReferenceEncoderSizes[len(ReferenceEncoderSizes)-1]}, ReferenceDecoderSizes...)...)

// ReferenceAE builds the lecture's autoencoder, 784-256-128-64-2-64-128-256-784
// (Tanh everywhere, Sigmoid output), named "reference", its layers drawn
// like PyTorch's (see Linear). It checks that the variables GoMLX created
// hold exactly ReferenceParams (485,266) numbers.
func ReferenceAE(backend compute.Backend) (*AE, error) {
	ae, err := NewAE(backend, "reference", ReferenceEncoder(), ReferenceDecoder(), ReferenceHyper)
	if err != nil {
		return nil, err
	}
	if n := ae.NumParams(); n != ReferenceParams {
		return nil, fmt.Errorf("aelib: reference AE has %d parameters, want %d", n, ReferenceParams)
	}
	return ae, nil
}

// ReferenceHyper describes the reference model in its checkpoint key. A
// notebook that builds the same model with its own code (02_autoencoder)
// passes it to NewAE, so ReferenceAE later finds that notebook's checkpoint.
var ReferenceHyper = map[string]any{
	"encoder": "784-256-128-64-2 tanh, tanh code",
	"decoder": "2-64-128-256-784 tanh, sigmoid output",
	"init":    "uniform ±1/√fan_in (nn.Linear's)",
}

// DefaultSeed initialises the weights of a model used before its first Fit.
const DefaultSeed = 42

// inferenceBatch is how many images inference sends to the backend at once.
const inferenceBatch = 1000

// AE is an autoencoder: an Encoder that maps images [N,784] to codes [N,dim]
// and a Decoder that maps codes back to images. Their variables live in Store
// under the scopes "encoder" and "decoder", so Encode, Decode, Reconstruct
// and Fit all share the same weights. Taught in 02_autoencoder.
//
// Weights are created when the AE is built and initialised on first use:
// Fit initialises them from Config.Seed, any other use from DefaultSeed.
type AE struct {
	Name    string         // names its checkpoints, e.g. "reference"
	Hyper   map[string]any // what defines the model, part of the checkpoint key
	Encoder Layer          // runs in scope "encoder"
	Decoder Layer          // runs in scope "decoder"
	CodeDim int            // width of the code, e.g. 2
	Backend compute.Backend
	Store   *model.Store

	History *History // of the last Fit, or loaded with a checkpoint; nil if untrained

	fresh                           bool // weights never trained nor loaded
	encExec, decExec, recExec, mseE *model.Exec
}

// NewAE wraps a notebook's own encoder and decoder into an AE. It builds
// their graph once for a single image to create the variables and check the
// shapes: the decoder must give Pixels (784) values per image. hyper holds
// whatever defines the model (sizes, activations...) and keys its checkpoints.
func NewAE(backend compute.Backend, name string, encoder, decoder Layer, hyper map[string]any) (*AE, error) {
	if backend == nil {
		return nil, fmt.Errorf("aelib: NewAE(%q): backend is nil: get one with aelib.Backend()", name)
	}
	if strings.TrimSpace(name) == "" {
		return nil, fmt.Errorf("aelib: NewAE: name empty: give the model a name, e.g. \"reference\"")
	}
	if encoder == nil || decoder == nil {
		return nil, fmt.Errorf("aelib: NewAE(%q): encoder and decoder must both be given", name)
	}
	ae := &AE{
		Name: name, Hyper: hyper, Encoder: encoder, Decoder: decoder,
		Backend: backend, Store: model.NewStore(), fresh: true,
	}
	var codeShape, outShape shapes.Shape
	err := buildForOne(backend, ae.Store, "building "+name, func(scope *model.Scope, x *graph.Node) *graph.Node {
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
		return nil, fmt.Errorf("aelib: encoder of %q gives shape %s for one image: want [1, dim]", name, codeShape)
	}
	if !outShape.Equal(shapes.Make(dtypes.Float32, 1, Pixels)) {
		return nil, fmt.Errorf("aelib: decoder of %q gives shape %s for one image: want [1, %d] float32", name, outShape, Pixels)
	}
	ae.CodeDim = codeShape.Dimensions[1]
	return ae, nil
}

// NumParams counts the trainable numbers of the encoder and decoder, read
// from the variables in the store.
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

// Encode maps flattened images x (N·784 values, e.g. test.X or
// test.X[:20*aelib.Pixels]) to their codes, row-major [N, dim].
func (ae *AE) Encode(x []float32) (codes []float32, dim int, err error) {
	if err := checkImages(x); err != nil {
		return nil, 0, err
	}
	if err := ae.ready(); err != nil {
		return nil, 0, err
	}
	if ae.encExec == nil {
		ae.encExec, err = model.NewExec(ae.Backend, ae.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			return ae.Encoder(scope.In("encoder"), x)
		})
		if err != nil {
			return nil, 0, err
		}
	}
	codes, err = runBatches(ae.encExec, x, Pixels, ae.CodeDim, "encoding")
	return codes, ae.CodeDim, err
}

// Decode maps codes (row-major [N, dim]) to images, N·784 values in [0,1]
// for the reference decoder. Any code works, also those outside [-1,1]².
func (ae *AE) Decode(codes []float32, dim int) ([]float32, error) {
	if dim != ae.CodeDim {
		return nil, fmt.Errorf("aelib: code dim %d invalid: model %q decodes codes of dim %d", dim, ae.Name, ae.CodeDim)
	}
	if len(codes) == 0 || len(codes)%dim != 0 {
		return nil, fmt.Errorf("aelib: %d code values invalid: must be a positive multiple of dim %d", len(codes), dim)
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
// reference trains on (nn.MSELoss), averaged over a whole set.
//
// The reference prints 0.000542 after 20 epochs, but that number is the sum
// of its 938 batch-mean losses divided by 60,000 images, i.e. the per-pixel
// MSE divided by the batch size 64. Its per-pixel training MSE is ≈ 0.035
// (0.000542 × 64 ≈ 0.035), which is what MSE and History report.
func (ae *AE) MSE(d *Digits) (float64, error) {
	if err := checkDigits(d); err != nil {
		return 0, err
	}
	if err := ae.ready(); err != nil {
		return 0, err
	}
	if ae.mseE == nil {
		var err error
		ae.mseE, err = model.NewExec(ae.Backend, ae.Store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			y := ae.Decoder(scope.In("decoder"), ae.Encoder(scope.In("encoder"), x))
			return graph.ReduceAllSum(graph.Square(graph.Sub(y, x)))
		})
		if err != nil {
			return 0, err
		}
	}
	sums, err := runBatches(ae.mseE, d.X, Pixels, 1, "evaluating")
	if err != nil {
		return 0, err
	}
	total := 0.0
	for _, s := range sums {
		total += float64(s)
	}
	return total / float64(len(d.X)), nil
}

// ready initialises the weights from DefaultSeed if nothing did yet.
func (ae *AE) ready() error {
	return initVariables(ae.Backend, ae.Store, DefaultSeed)
}

// dropExecs forgets compiled graphs, e.g. after the weights were replaced.
func (ae *AE) dropExecs() {
	for _, e := range []*model.Exec{ae.encExec, ae.decExec, ae.recExec, ae.mseE} {
		if e != nil {
			e.Finalize()
		}
	}
	ae.encExec, ae.decExec, ae.recExec, ae.mseE = nil, nil, nil, nil
}

// scopeParams sums the sizes of the variables under a scope path.
func scopeParams(store *model.Store, scope string) int {
	n := 0
	for v := range store.IterVariables() {
		if strings.HasPrefix(v.Path(), scope+"/") {
			n += v.Shape().Size()
		}
	}
	return n
}

// initVariables gives every variable without a value its initial value,
// after first dropping the values of the variables under the scope paths in
// reset (e.g. "/encoder/"), so those are drawn again. Whenever something is
// to be drawn, the store's random generator is first seeded with seed, so
// initial weights depend only on the seed and the model.
func initVariables(backend compute.Backend, store *model.Store, seed int64, reset ...string) error {
	return safely("initialising weights", func() error {
		missing := false
		for v := range store.IterVariables() {
			for _, prefix := range reset {
				if strings.HasPrefix(v.Path(), prefix) {
					if err := v.Reset(); err != nil {
						return err
					}
				}
			}
			if !v.HasValue() && v.Name() != model.RNGStateVariableName {
				missing = true
			}
		}
		if !missing {
			return nil
		}
		if err := store.SetRNGStateFromSeed(seed); err != nil {
			return err
		}
		return store.InitializeVariables(backend, nil)
	})
}

// modelScopes are the scopes whose variables make a model (and a checkpoint).
var modelScopes = []string{"/encoder/", "/decoder/", "/head/"}

func isModelVar(path string) bool {
	for _, s := range modelScopes {
		if strings.HasPrefix(path, s) {
			return true
		}
	}
	return false
}

// runBatches feeds x (rows of width in) through exec in batches of
// inferenceBatch rows and concatenates the outputs (rows of width out).
func runBatches(exec *model.Exec, x []float32, in, out int, what string) ([]float32, error) {
	n := len(x) / in
	res := make([]float32, 0, n*out)
	err := safely(what, func() error {
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

// buildForOne builds and compiles fn's graph once for a single image, which
// creates the model's variables; a panic while building becomes an error.
func buildForOne(backend compute.Backend, store *model.Store, what string, fn func(*model.Scope, *graph.Node) *graph.Node) error {
	return safely(what, func() error {
		e, err := model.NewExec(backend, store, fn)
		if err != nil {
			return err
		}
		defer e.Finalize()
		_, err = e.Compile(shapes.Make(dtypes.Float32, 1, Pixels))
		return err
	})
}

// safely runs fn, turning a GoMLX panic into an error with context. GoMLX
// wraps a panic in the graph function in layers of context; only the
// panic's own message, first line, is kept.
func safely(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("aelib: %s: %s", what, panicMessage(fmt.Sprint(r)))
		}
	}()
	if err := fn(); err != nil {
		if strings.HasPrefix(err.Error(), "aelib:") {
			return err
		}
		return fmt.Errorf("aelib: %s: %s", what, panicMessage(err.Error()))
	}
	return nil
}

func panicMessage(msg string) string {
	if i := strings.LastIndex(msg, "panicked: "); i >= 0 {
		msg = msg[i+len("panicked: "):]
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

func checkImages(x []float32) error {
	if len(x) == 0 || len(x)%Pixels != 0 {
		return fmt.Errorf("aelib: %d pixel values invalid: must be a positive multiple of %d (N flattened 28×28 images)", len(x), Pixels)
	}
	return nil
}

func checkDigits(d *Digits) error {
	if d == nil {
		return fmt.Errorf("aelib: digits nil: load them with aelib.LoadMNIST")
	}
	if len(d.X) != d.Len()*Pixels || d.Len() == 0 {
		return fmt.Errorf("aelib: digits invalid: %d labels but %d pixel values (want %d per image, at least one image)", d.Len(), len(d.X), Pixels)
	}
	return nil
}

// finite reports whether v is a usable number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

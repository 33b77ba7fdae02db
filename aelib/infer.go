package aelib

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/gomlx/compute"
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
		return nil, errorf("%d code values invalid: model %q decodes codes of %d numbers: give a positive multiple of %d", len(codes), ae.Name, dim, dim)
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

// CopyWeights copies the weights under scope (e.g. "encoder") of a trained
// model into m, which must be new (m's first Train keeps them and draws only
// its other weights from the seed) or trained with TrainFresh (its next
// TrainFresh keeps them). 07_pretraining starts a classifier from an
// autoencoder's encoder this way. m's code must use the same scope and
// shapes, which its first Train checks.
func (m *Model) CopyWeights(src *Model, scope string) error {
	if !m.fresh && m.exec == nil {
		return errorf("copy weights into %s: it has been trained or loaded already: copy into a new model, or train it with TrainFresh", m.Name)
	}
	prefix := "/" + strings.Trim(scope, "/") + "/"
	if m.kept == nil {
		m.kept = map[string]bool{}
	}
	return safely(fmt.Sprintf("copying %s weights from %s", scope, src.Name), func() error {
		if src.fresh {
			return fmt.Errorf("%s is not trained", src.Name)
		}
		n := 0
		for v := range src.Store.IterVariables() {
			if !strings.HasPrefix(v.Path(), prefix) || !isModelVar(v) {
				continue
			}
			t, err := v.Value()
			if err != nil {
				return err
			}
			flat, err := tensors.CopyFlatData[float32](t)
			if err != nil {
				return err
			}
			copied := tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)
			if mine := m.Store.GetVariable(v.Path()); mine != nil {
				if !mine.Shape().Equal(v.Shape()) {
					return fmt.Errorf("variable %s has shape %s here, %s there", v.Path(), mine.Shape(), v.Shape())
				}
				err = mine.SetValue(copied)
			} else {
				_, err = m.Store.CreateVariable(v.Path(), copied)
			}
			if err != nil {
				return err
			}
			m.kept[v.Path()] = true
			n++
		}
		if n == 0 {
			return fmt.Errorf("%s has no weights in scope %q", src.Name, scope)
		}
		return nil
	})
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
	err = safely("applying "+m.Name, func() error {
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

// initVariables gives every variable without a value its initial value,
// after first dropping the values of the variables that reset selects (by
// path; nil selects none), so those are drawn again. Whenever something is
// to be drawn, the store's random generator is first seeded with seed, so
// initial weights depend only on the seed and the model.
func initVariables(backend compute.Backend, store *model.Store, seed int64, reset func(path string) bool) error {
	return safely("initialising weights", func() error {
		missing, resetAny := false, false
		for v := range store.IterVariables() {
			if reset != nil && reset(v.Path()) && v.Name() != model.RNGStateVariableName {
				if err := v.Reset(); err != nil {
					return err
				}
				resetAny = true
			}
			if !v.HasValue() && v.Name() != model.RNGStateVariableName {
				missing = true
			}
		}
		if reset != nil || resetAny || missing {
			// Also when nothing is missing: the variables a step creates
			// later (all of a model made with NewModel) are drawn from
			// this state when the step first runs.
			if err := store.SetRNGStateFromSeed(seed); err != nil {
				return err
			}
		}
		if !missing {
			return nil
		}
		return store.InitializeVariables(backend, nil)
	})
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

var (
	graphOnce sync.Once
	graphB    compute.Backend
	graphErr  error
)

// graphBackend is GoMLX's pure Go backend, created once, for graphs that are
// built only to be read (their shapes, their listing), never run: building
// one costs milliseconds there, where XLA would compile it.
func graphBackend() (compute.Backend, error) {
	graphOnce.Do(func() { graphB, graphErr = compute.NewWithConfig("go") })
	return graphB, graphErr
}

// buildForOne builds fn's graph once for a single image, on graphBackend:
// that creates the model's variables in store (their values are drawn later,
// on the backend that first runs the model) and gives the shapes; a panic
// while building becomes an error.
func buildForOne(store *model.Store, what string, fn func(*model.Scope, *graph.Node) *graph.Node) error {
	return safely(what, func() error {
		gb, err := graphBackend()
		if err != nil {
			return err
		}
		e, err := model.NewExec(gb, store, fn)
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
			err = errorf("%s: %s", what, panicMessage(fmt.Sprint(r)))
		}
	}()
	if err := fn(); err != nil {
		if errors.As(err, new(*Error)) {
			return err
		}
		return errorf("%s: %s", what, panicMessage(err.Error()))
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
		return errorf("%d pixel values invalid: must be a positive multiple of %d (N flattened 28×28 images)", len(x), Pixels)
	}
	return nil
}

func checkDigits(d *Digits) error {
	if d == nil {
		return errorf("digits nil: load them with aelib.LoadMNIST")
	}
	if len(d.X) != d.Len()*Pixels || d.Len() == 0 {
		return errorf("digits invalid: %d labels but %d pixel values (want %d per image, at least one image)", d.Len(), len(d.X), Pixels)
	}
	return nil
}

// finite reports whether v is a usable number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

package aelib

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/go-xla/compute/xla"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Shared helpers of the tests: a few MNIST digits, small autoencoders, quiet
// configs, a private checkpoint directory and captured output.

// TestMain keeps the tests off the network: GoMLX would otherwise download
// the XLA plugin from GitHub when no plugin is installed (without `make
// xla`), and the tests then run on the Go backend.
func TestMain(m *testing.M) {
	xla.EnableAutoInstall(false)
	os.Exit(m.Run())
}

// digits returns the first nTrain training and nTest test digits of MNIST
// (loaded once per process by LoadMNIST).
func digits(t testing.TB, nTrain, nTest int) (train, test *Digits) {
	t.Helper()
	tr, te, err := LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	if nTrain > tr.Len() || nTest > te.Len() {
		t.Fatalf("want %d+%d digits, MNIST has %d+%d", nTrain, nTest, tr.Len(), te.Len())
	}
	return tr.Head(nTrain), te.Head(nTest)
}

// quiet is a config for tests: no progress lines, no chart, batch 32,
// Adam's learning rate 0.005, seed 42.
func quiet(epochs int) Config {
	return Config{Epochs: epochs, Batch: 32, LR: 0.005, Seed: 42, Quiet: true, NoCurve: true}
}

// tempCheckpoints points $AELIB_CHECKPOINTS at a fresh directory of the
// test, so nothing lands in the project's .checkpoints/, and returns it.
func tempCheckpoints(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(checkpointEnv, dir)
	return dir
}

// Sizes of the small autoencoder of the tests: 784-32-2 and 2-32-784.
var (
	smallEncSizes = []int{32, 2}
	smallDecSizes = []int{32, Pixels}
)

// loopEncoder is the small encoder written as 02_autoencoder writes the
// reference's: a loop of Linear layers, each followed by an activation, the
// first one being first and the others Tanh.
func loopEncoder(first func(*graph.Node) *graph.Node) Layer {
	return func(scope *model.Scope, x *graph.Node) *graph.Node {
		for i, n := range smallEncSizes {
			x = Linear(scope.In("dense_%d", i), x, n)
			if i == 0 {
				x = first(x)
			} else {
				x = graph.Tanh(x)
			}
		}
		return x
	}
}

// loopDecoder is the small decoder in the same form: Tanh, then Sigmoid.
func loopDecoder(scope *model.Scope, x *graph.Node) *graph.Node {
	for i, n := range smallDecSizes {
		x = Linear(scope.In("dense_%d", i), x, n)
		if i < len(smallDecSizes)-1 {
			x = graph.Tanh(x)
		} else {
			x = graph.Sigmoid(x)
		}
	}
	return x
}

// smallAE is a 784-32-2-32-784 autoencoder built with MLP (Tanh, Tanh code,
// Sigmoid output).
func smallAE(t testing.TB, name string) *AE {
	t.Helper()
	enc, err := MLP(smallEncSizes, graph.Tanh, graph.Tanh)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := MLP(smallDecSizes, graph.Tanh, graph.Sigmoid)
	if err != nil {
		t.Fatal(err)
	}
	return newAE(t, name, enc, dec)
}

// newAE is NewAE that fails the test on an error.
func newAE(t testing.TB, name string, enc, dec Layer) *AE {
	t.Helper()
	ae, err := NewAE(name, enc, dec)
	if err != nil {
		t.Fatal(err)
	}
	return ae
}

// trained returns a small AE trained quietly for one epoch on d.
func trained(t testing.TB, name string, d *Digits) *AE {
	t.Helper()
	ae := smallAE(t, name)
	if _, err := ae.Train(d, nil, quiet(1), ae.Step); err != nil {
		t.Fatal(err)
	}
	return ae
}

// weights returns a copy of the values of the model's weights (see
// isModelVar), by variable path.
func weights(t testing.TB, m *Model) map[string][]float32 {
	t.Helper()
	w := map[string][]float32{}
	for v := range m.Store.IterVariables() {
		if !isModelVar(v) {
			continue
		}
		val, err := v.Value()
		if err != nil {
			t.Fatalf("variable %s: %v", v.Path(), err)
		}
		flat, err := tensors.CopyFlatData[float32](val)
		if err != nil {
			t.Fatalf("variable %s: %v", v.Path(), err)
		}
		w[v.Path()] = flat
	}
	return w
}

// sameWeights reports whether two weight maps hold the same variables with
// bit-identical values.
func sameWeights(a, b map[string][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		if vb, ok := b[k]; !ok || !slices.Equal(va, vb) {
			return false
		}
	}
	return true
}

// outputOf runs fn and returns the lines aelib wrote (see SetOutput).
func outputOf(t testing.TB, fn func()) string {
	t.Helper()
	var b strings.Builder
	SetOutput(&b)
	defer func() {
		SetOutput(os.Stdout)
		if testing.Verbose() && b.Len() > 0 {
			t.Logf("aelib's output:\n%s", b.String())
		}
	}()
	fn()
	return b.String()
}

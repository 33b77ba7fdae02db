package aelib

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	_ "github.com/gomlx/compute/gobackend"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

var (
	mlOnce    sync.Once
	mlBack    compute.Backend
	mlBackErr error
)

// mlBackend is the pure Go backend, shared by the model tests.
func mlBackend(t testing.TB) compute.Backend {
	t.Helper()
	mlOnce.Do(func() { mlBack, mlBackErr = compute.NewWithConfig("go") })
	if mlBackErr != nil {
		t.Fatal(mlBackErr)
	}
	return mlBack
}

// mlDigits returns n training digits: MNIST's first n when it loads, else
// synthetic digit-like images (a blurred stroke per class plus noise).
func mlDigits(t testing.TB, n int) *Digits {
	t.Helper()
	if train, _, err := LoadMNIST(); err == nil && n <= train.Len() {
		return train.Head(n)
	}
	t.Logf("MNIST not available, using synthetic digits")
	r := rand.New(rand.NewPCG(7, 7))
	d := &Digits{X: make([]float32, n*Pixels), Labels: make([]int, n)}
	for i := range n {
		k := i % 10
		d.Labels[i] = k
		angle := float64(k) * math.Pi / 10
		cx, cy := 14+2*r.NormFloat64(), 14+2*r.NormFloat64()
		img := d.Image(i)
		for p := range Pixels {
			x, y := float64(p%28)-cx, float64(p/28)-cy
			along := x*math.Cos(angle) + y*math.Sin(angle)
			across := -x*math.Sin(angle) + y*math.Cos(angle)
			v := math.Exp(-across*across/4) * math.Exp(-along*along/60)
			img[p] = float32(min(1, max(0, v+0.05*r.NormFloat64())))
		}
	}
	return d
}

// mlSmallAE is a small autoencoder (784-32-2-32-784) for fast tests.
func mlSmallAE(t testing.TB, name string) *AE {
	t.Helper()
	enc, err := MLP([]int{32, 2}, "tanh", "tanh")
	if err != nil {
		t.Fatal(err)
	}
	dec, err := MLP([]int{32, Pixels}, "tanh", "sigmoid")
	if err != nil {
		t.Fatal(err)
	}
	ae, err := NewAE(mlBackend(t), name, enc, dec, map[string]any{"sizes": "784-32-2-32-784"})
	if err != nil {
		t.Fatal(err)
	}
	return ae
}

func mlQuiet(epochs int) Config {
	c := DefaultConfig()
	c.Epochs = epochs
	c.Quiet = true
	return c
}

func TestReferenceParams(t *testing.T) {
	ae, err := ReferenceAE(mlBackend(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		what      string
		got, want int
	}{
		{"encoder variables", ae.EncoderParams(), 242242},
		{"decoder variables", ae.DecoderParams(), 243024},
		{"all variables", ae.NumParams(), 485266},
		{"ReferenceParams", ReferenceParams, 485266},
		{"DenseParams encoder", DenseParams(784, 256, 128, 64, 2), 242242},
		{"DenseParams decoder", DenseParams(2, 64, 128, 256, 784), 243024},
		{"code dim", ae.CodeDim, 2},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.what, tc.got, tc.want)
		}
	}
	// Every variable lives under encoder/dense_i or decoder/dense_i.
	for v := range ae.Store.IterVariables() {
		if !strings.HasPrefix(v.Path(), "/encoder/dense_") && !strings.HasPrefix(v.Path(), "/decoder/dense_") {
			t.Errorf("unexpected variable %s", v.Path())
		}
	}
}

func TestMLPErrors(t *testing.T) {
	tests := []struct {
		sizes       []int
		act, outAct string
		want        string // "" = no error
	}{
		{[]int{8, 2}, "tanh", "tanh", ""},
		{[]int{8}, "relu", "linear", ""},
		{[]int{8}, "sigmoid", "sigmoid", ""},
		{[]int{8, 2}, "tahn", "tanh", `activation "tahn" invalid: must be one of tanh, relu, sigmoid, linear`},
		{[]int{8, 2}, "tanh", "softmax", `activation "softmax" invalid`},
		{nil, "tanh", "tanh", "sizes empty"},
		{[]int{8, 0}, "tanh", "tanh", "size 0 (layer 1) invalid"},
	}
	for _, tc := range tests {
		l, err := MLP(tc.sizes, tc.act, tc.outAct)
		if tc.want == "" {
			if err != nil || l == nil {
				t.Errorf("MLP(%v, %q, %q): %v", tc.sizes, tc.act, tc.outAct, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("MLP(%v, %q, %q) error %v, want one line with %q", tc.sizes, tc.act, tc.outAct, err, tc.want)
		}
	}
}

func TestNewAEErrors(t *testing.T) {
	b := mlBackend(t)
	enc, _ := MLP([]int{2}, "tanh", "tanh")
	short, _ := MLP([]int{10}, "tanh", "sigmoid")
	panicky := Layer(func(scope *model.Scope, x *graph.Node) *graph.Node {
		return graph.Add(x, graph.Zeros(x.Graph(), shapes.Make(dtypes.Float32, 3, 5))) // shapes don't match: GoMLX panics
	})
	tests := []struct {
		name     string
		enc, dec Layer
		want     string
	}{
		{"short", enc, short, "decoder of \"short\" gives shape"},
		{"", enc, short, "name empty"},
		{"nil", enc, nil, "must both be given"},
		{"panics", panicky, short, "aelib: building panics"},
	}
	for _, tc := range tests {
		_, err := NewAE(b, tc.name, tc.enc, tc.dec, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewAE(%q) error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestEncodeDecodeRanges(t *testing.T) {
	ae, err := ReferenceAE(mlBackend(t))
	if err != nil {
		t.Fatal(err)
	}
	d := mlDigits(t, 1500) // two inference batches, the second one partial
	codes, dim, err := ae.Encode(d.X)
	if err != nil {
		t.Fatal(err)
	}
	if dim != 2 || len(codes) != d.Len()*2 {
		t.Fatalf("Encode gave %d values of dim %d, want [%d, 2]", len(codes), dim, d.Len())
	}
	for i, c := range codes {
		if c < -1 || c > 1 || math.IsNaN(float64(c)) {
			t.Fatalf("code value %d = %v outside [-1,1]", i, c)
		}
	}
	// Any codes decode to pixels in [0,1]: a grid over [-1,1]² and the far
	// points of the lecture.
	var grid []float32
	for i := range 7 {
		for j := range 7 {
			grid = append(grid, -1+float32(i)/3, -1+float32(j)/3)
		}
	}
	grid = append(grid, -1.5, -1.5, 1.5, 1.5, 10, 10, -100, 100)
	imgs, err := ae.Decode(grid, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != len(grid)/2*Pixels {
		t.Fatalf("Decode gave %d values, want %d", len(imgs), len(grid)/2*Pixels)
	}
	for i, v := range imgs {
		if v < 0 || v > 1 || math.IsNaN(float64(v)) {
			t.Fatalf("decoded pixel %d = %v outside [0,1]", i, v)
		}
	}
	rec, err := ae.Reconstruct(d.X[:3*Pixels])
	if err != nil || len(rec) != 3*Pixels {
		t.Fatalf("Reconstruct: %d values, %v", len(rec), err)
	}
	// Bad inputs are errors, not panics.
	if _, _, err := ae.Encode(make([]float32, 100)); err == nil || !strings.Contains(err.Error(), "multiple of 784") {
		t.Errorf("Encode of 100 values: %v", err)
	}
	if _, err := ae.Decode([]float32{1, 2, 3}, 3); err == nil || !strings.Contains(err.Error(), "code dim 3 invalid") {
		t.Errorf("Decode dim 3: %v", err)
	}
}

func TestHistoryCurve(t *testing.T) {
	h := &History{Loss: "mse", Epoch: []float64{0.06, 0.05}, Steps: []float64{0.2, 0.1, 0.07, 0.05}}
	f, err := h.Curve("loss")
	if err != nil || f == nil || len(f.PNG) == 0 {
		t.Fatalf("Curve: %v", err)
	}
	if _, err := (&History{}).Curve("empty"); err == nil {
		t.Error("Curve of an empty history: no error")
	}
}

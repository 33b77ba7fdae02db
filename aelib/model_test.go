package aelib

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

func TestReferenceParams(t *testing.T) {
	ae, err := ReferenceAE()
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
		{"referenceParams", referenceParams, 485266},
		{"denseParams encoder", denseParams(784, 256, 128, 64, 2), 242242},
		{"denseParams decoder", denseParams(2, 64, 128, 256, 784), 243024},
		{"code dim", ae.CodeDim, 2},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.what, tc.got, tc.want)
		}
	}
	// Every variable lives under encoder/dense_i or decoder/dense_i.
	n := 0
	for v := range ae.Store.IterVariables() {
		n++
		if !strings.HasPrefix(v.Path(), "/encoder/dense_") && !strings.HasPrefix(v.Path(), "/decoder/dense_") {
			t.Errorf("unexpected variable %s", v.Path())
		}
	}
	if n != 16 {
		t.Errorf("%d variables, want 16 (8 layers × weights and biases)", n)
	}
	if s := ae.String(); s != `AE "reference": code dim 2, 485266 parameters (encoder 242242 + decoder 243024)` {
		t.Errorf("String() = %q", s)
	}
	if ae.Name != "reference" || ae.LossLabel != "per-pixel MSE" || ae.Title != "the lecture's 2-D autoencoder" {
		t.Errorf("name %q, loss %q, title %q", ae.Name, ae.LossLabel, ae.Title)
	}
}

func TestMLPErrors(t *testing.T) {
	tests := []struct {
		sizes []int
		want  string // "" = no error
	}{
		{[]int{8, 2}, ""},
		{[]int{8}, ""},
		{nil, "aelib: MLP sizes empty: give at least one layer size"},
		{[]int{8, 0}, "aelib: MLP size 0 (layer 1) invalid: sizes must be ≥ 1"},
		{[]int{-3}, "aelib: MLP size -3 (layer 0) invalid: sizes must be ≥ 1"},
	}
	for _, tc := range tests {
		l, err := MLP(tc.sizes, graph.Tanh, nil)
		if tc.want == "" {
			if err != nil || l == nil {
				t.Errorf("MLP(%v): %v", tc.sizes, err)
			}
			continue
		}
		if err == nil || err.Error() != tc.want || !errors.Is(err, ErrInvalid) || l != nil {
			t.Errorf("MLP(%v) error %v, want %q of kind ErrInvalid", tc.sizes, err, tc.want)
		}
	}
	// MLP copies its sizes: changing the slice afterwards changes nothing.
	sizes := []int{8, 2}
	enc, _ := MLP(sizes, graph.Tanh, graph.Tanh)
	sizes[1] = 5
	dec, _ := MLP([]int{Pixels}, nil, graph.Sigmoid)
	if ae := newAE(t, "copied", enc, dec); ae.CodeDim != 2 {
		t.Errorf("code dim %d after changing the sizes slice, want 2", ae.CodeDim)
	}
}

func TestNewAEErrors(t *testing.T) {
	enc, _ := MLP([]int{2}, graph.Tanh, graph.Tanh)
	dec, _ := MLP([]int{Pixels}, graph.Tanh, graph.Sigmoid)
	short, _ := MLP([]int{10}, graph.Tanh, graph.Sigmoid)
	panicky := Layer(func(scope *model.Scope, x *graph.Node) *graph.Node {
		return graph.Add(x, graph.Zeros(x.Graph(), shapes.Make(dtypes.Float32, 3, 5))) // shapes don't match: GoMLX panics
	})
	image := Layer(func(scope *model.Scope, x *graph.Node) *graph.Node { return graph.Reshape(x, 1, 28, 28) })
	tests := []struct {
		name     string
		enc, dec Layer
		want     string
	}{
		{"short", enc, short, `aelib: decoder of "short" gives shape (Float32)[1, 10] for one image: want [1, 784] float32`},
		{"", enc, dec, `aelib: model name empty: give it a name, e.g. "reference"`},
		{"  ", enc, dec, "aelib: model name empty"},
		{"nil", enc, nil, `aelib: NewAE("nil"): encoder and decoder must both be given`},
		{"nil", nil, dec, `aelib: NewAE("nil"): encoder and decoder must both be given`},
		{"panics", panicky, dec, "aelib: building panics: "},
		{"image", image, dec, `aelib: encoder of "image" gives shape (Float32)[1, 28, 28] for one image: want [1, dim]`},
	}
	for _, tc := range tests {
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("NewAE(%q) panicked: %v", tc.name, r)
				}
			}()
			_, err = NewAE(tc.name, tc.enc, tc.dec)
		}()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("NewAE(%q) error %v, want one line starting %q", tc.name, err, tc.want)
		}
	}
}

// TestEncodeDecode checks sizes and ranges of the AE's inference: a Tanh code
// lies in [-1,1], a Sigmoid output in [0,1], for any weights.
func TestEncodeDecode(t *testing.T) {
	_, test := digits(t, 0, 1500) // two inference batches, the second one partial
	ae := smallAE(t, "ranges")
	codes, err := ae.Encode(test.X)
	if err != nil {
		t.Fatal(err)
	}
	if ae.CodeDim != 2 || len(codes) != test.Len()*2 {
		t.Fatalf("Encode gave %d values, code dim %d; want [%d, 2]", len(codes), ae.CodeDim, test.Len())
	}
	spread := false
	for i, c := range codes {
		if !(c >= -1 && c <= 1) {
			t.Fatalf("code value %d = %v outside [-1,1]", i, c)
		}
		spread = spread || c != codes[0]
	}
	if !spread {
		t.Error("every code value is the same")
	}
	// Any codes decode to pixels in [0,1]: a grid over [-1,1]² and far points.
	var grid []float32
	for i := range 7 {
		for j := range 7 {
			grid = append(grid, -1+float32(i)/3, -1+float32(j)/3)
		}
	}
	grid = append(grid, -1.5, -1.5, 1.5, 1.5, 10, 10, -100, 100)
	imgs, err := ae.Decode(grid)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != len(grid)/2*Pixels {
		t.Fatalf("Decode gave %d values, want %d", len(imgs), len(grid)/2*Pixels)
	}
	for i, v := range imgs {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("decoded pixel %d = %v outside [0,1]", i, v)
		}
	}
	// Reconstruct is Decode after Encode; MSE is the mean of its squared errors.
	rec, err := ae.Reconstruct(test.X)
	if err != nil || len(rec) != len(test.X) {
		t.Fatalf("Reconstruct: %d values, %v", len(rec), err)
	}
	dec, err := ae.Decode(codes)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for i := range rec {
		if d := math.Abs(float64(rec[i] - dec[i])); d > 1e-5 {
			t.Fatalf("pixel %d: Reconstruct %v, Decode(Encode) %v", i, rec[i], dec[i])
		}
		d := float64(rec[i] - test.X[i])
		sum += d * d
	}
	mse, err := ae.MSE(test)
	if err != nil {
		t.Fatal(err)
	}
	// The backend sums N·784 float32 squares: its rounding differs from this
	// float64 sum by ~1e-5 of the total (2e-5 measured on the Go backend), far
	// below what a wrong formula gives (a sum, or a mean over the batch only).
	if want := sum / float64(len(rec)); math.Abs(mse-want) > 1e-4*want {
		t.Errorf("MSE %.8f, want the mean of the squared errors %.8f", mse, want)
	}

	// Bad inputs are errors, not panics.
	code3 := newAE(t, "three", func(scope *model.Scope, x *graph.Node) *graph.Node {
		return graph.Tanh(Linear(scope, x, 3))
	}, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return graph.Sigmoid(Linear(scope, x, Pixels))
	})
	bad := []struct {
		name string
		call func() error
		want string
	}{
		{"Encode 100 values", func() error { _, err := ae.Encode(make([]float32, 100)); return err },
			"aelib: 100 pixel values invalid: must be a positive multiple of 784 (N flattened 28×28 images)"},
		{"Encode nothing", func() error { _, err := ae.Encode(nil); return err }, "aelib: 0 pixel values invalid"},
		{"Reconstruct 785 values", func() error { _, err := ae.Reconstruct(make([]float32, 785)); return err }, "aelib: 785 pixel values invalid"},
		{"Decode 3 values", func() error { _, err := ae.Decode([]float32{1, 2, 3}); return err },
			`aelib: 3 code values invalid: model "ranges" decodes codes of 2 numbers: give a positive multiple of 2`},
		{"Decode nothing", func() error { _, err := ae.Decode(nil); return err }, "aelib: 0 code values invalid"},
		{"Decode 4 values, dim 3", func() error { _, err := code3.Decode(make([]float32, 4)); return err },
			`aelib: 4 code values invalid: model "three" decodes codes of 3 numbers: give a positive multiple of 3`},
		{"MSE of nil", func() error { _, err := ae.MSE(nil); return err }, "aelib: digits nil"},
	}
	for _, tc := range bad {
		if err := tc.call(); err == nil || err.Error() != tc.want && !strings.HasPrefix(err.Error(), tc.want+":") {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if out, err := code3.Decode(make([]float32, 6)); err != nil || len(out) != 2*Pixels {
		t.Errorf("Decode of two 3-number codes: %d values, %v", len(out), err)
	}
}

func TestHistory(t *testing.T) {
	var none *History
	if !math.IsNaN(none.Final()) || !math.IsNaN((&History{}).Final()) {
		t.Error("Final of no history is not NaN")
	}
	h := &History{LossLabel: "per-pixel MSE", Steps: []float64{0.2, 0.1, 0.07, 0.05}, Epoch: []float64{0.15, 0.06},
		StepsPerEpoch: 2, Images: 100, Seconds: 0.5}
	if h.Final() != 0.06 {
		t.Errorf("Final() = %v, want the last epoch's 0.06", h.Final())
	}
	if got := h.imagesPerSecond(); got != 400 {
		t.Errorf("imagesPerSecond() = %v, want 2 epochs × 100 images / 0.5 s = 400", got)
	}
	if f, err := h.curve("loss"); err != nil || f == nil {
		t.Errorf("Curve: %v", err)
	}
	for _, empty := range []*History{nil, {}} {
		if _, err := empty.curve("empty"); err == nil || !strings.Contains(err.Error(), `loss curve "empty": no training history`) {
			t.Errorf("Curve of %v: error %v", empty, err)
		}
	}
}

package aelib

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// encoderClassifierStep is a classifier made of smallAE's encoder (scope
// "encoder") and a linear head; with frozen, no gradient reaches the encoder.
func encoderClassifierStep(frozen bool) Step {
	return func(scope *model.Scope, images, labels *graph.Node) *graph.Node {
		code := loopEncoder(graph.Tanh)(scope.In("encoder"), images)
		if frozen {
			code = graph.StopGradient(code)
		}
		logits := Linear(scope.In("head"), code, 10)
		l := loss.SparseCategoricalCrossEntropyLogits([]*graph.Node{graph.ExpandAxes(labels, -1)}, []*graph.Node{logits})
		optimizer.Adam().Done().UpdateGraph(scope, images.Graph(), l)
		return l
	}
}

// TestCopyWeights: a classifier started from a trained AE's encoder keeps
// those weights through its first Train's initialisation (and, frozen, through
// training), draws its head from the seed, and a shape mismatch is an error.
func TestCopyWeights(t *testing.T) {
	tempCheckpoints(t)
	train, _ := digits(t, 300, 10)
	ae := trained(t, "pretrained", train)
	enc := func(w map[string][]float32) map[string][]float32 {
		out := map[string][]float32{}
		for p, v := range w {
			if strings.HasPrefix(p, "/encoder/") {
				out[p] = v
			}
		}
		return out
	}
	want := enc(weights(t, ae.Model))

	for _, frozen := range []bool{true, false} {
		m, err := NewModel("clf", "", "cross-entropy")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.CopyWeights(ae.Model, "encoder"); err != nil {
			t.Fatal(err)
		}
		if got := enc(weights(t, m)); !sameWeights(got, want) {
			t.Fatalf("frozen=%v: copied encoder differs from the AE's", frozen)
		}
		if _, err := m.Train(train, nil, quiet(1), encoderClassifierStep(frozen)); err != nil {
			t.Fatal(err)
		}
		got := enc(weights(t, m))
		if frozen != sameWeights(got, want) {
			t.Errorf("frozen=%v: encoder unchanged after training = %v", frozen, !frozen)
		}
		if len(weights(t, m)) <= len(want) {
			t.Errorf("frozen=%v: no head weights were created", frozen)
		}
		if err := m.CopyWeights(ae.Model, "encoder"); err == nil {
			t.Errorf("frozen=%v: CopyWeights into a trained model gave no error", frozen)
		}
	}

	empty, _ := NewModel("empty", "", "")
	if err := empty.CopyWeights(ae.Model, "head"); err == nil || !strings.Contains(err.Error(), `no weights in scope "head"`) {
		t.Errorf("copying a scope the source lacks: err = %v", err)
	}
	fresh := smallAE(t, "untrained")
	if err := empty.CopyWeights(fresh.Model, "encoder"); err == nil || !strings.Contains(err.Error(), "not trained") {
		t.Errorf("copying from an untrained model: err = %v", err)
	}
	// A classifier whose encoder has other widths cannot use the copied weights.
	wrong, _ := NewModel("wrong", "", "")
	if err := wrong.CopyWeights(ae.Model, "encoder"); err != nil {
		t.Fatal(err)
	}
	wide := func(scope *model.Scope, images, labels *graph.Node) *graph.Node {
		code := Linear(scope.In("encoder").In("dense_0"), images, 48)
		l := graph.ReduceAllMean(graph.Square(code))
		optimizer.Adam().Done().UpdateGraph(scope, images.Graph(), l)
		return l
	}
	if _, err := wrong.Train(train, nil, quiet(1), wide); err == nil {
		t.Error("training a model whose encoder does not fit the copied weights gave no error")
	}
}

// TestApply: a trained classifier's softmax through Apply gives one row of
// 10 probabilities per image, summing to 1; bad input is an error.
func TestApply(t *testing.T) {
	train, test := digits(t, 600, 100)
	m := newClassifier(t)
	if _, err := m.Train(train, nil, quiet(2), classifierStep); err != nil {
		t.Fatal(err)
	}
	probs := func(scope *model.Scope, x *graph.Node) *graph.Node {
		return graph.Softmax(Linear(scope.In("head"), x, 10))
	}
	out, width, err := m.Apply(probs, test.X)
	if err != nil {
		t.Fatal(err)
	}
	if width != 10 || len(out) != test.Len()*10 {
		t.Fatalf("Apply gave width %d and %d values for %d images", width, len(out), test.Len())
	}
	right := 0
	for i := range test.Len() {
		row := out[i*10 : (i+1)*10]
		sum := 0.0
		for _, p := range row {
			sum += float64(p)
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Fatalf("row %d sums to %v", i, sum)
		}
		if slices.Index(row, slices.Max(row)) == test.Labels[i] {
			right++
		}
	}
	acc, err := accuracy(m, test)
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(right) / float64(test.Len()); got != acc {
		t.Errorf("Apply's argmax accuracy %.3f differs from the classifier's %.3f", got, acc)
	}
	if _, _, err := m.Apply(probs, make([]float32, 5)); err == nil {
		t.Error("Apply on 5 values gave no error")
	}
	scalar := func(scope *model.Scope, x *graph.Node) *graph.Node { return graph.ReduceAllSum(x) }
	if _, _, err := m.Apply(scalar, test.X); err == nil || !strings.Contains(err.Error(), "want [N, width]") {
		t.Errorf("Apply of a function giving a scalar: err = %v", err)
	}
}

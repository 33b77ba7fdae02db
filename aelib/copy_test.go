package aelib

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
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

// TestTrainFresh: each call starts again from weights drawn from the seed (the
// same draws in two models with the same weights, so a pretrained and a random
// start share their head), puts back weights copied since the last call,
// restarts the optimizer, and reuses the compiled step.
func TestTrainFresh(t *testing.T) {
	tempCheckpoints(t)
	train, _ := digits(t, 300, 10)
	ae := trained(t, "pretrained", train)
	part := func(w map[string][]float32, prefix string) map[string][]float32 {
		out := map[string][]float32{}
		for p, v := range w {
			if strings.HasPrefix(p, prefix) {
				out[p] = v
			}
		}
		return out
	}
	// A step that changes no weight: after it, the weights are the start's.
	still := func(scope *model.Scope, images, labels *graph.Node) *graph.Node {
		logits := Linear(scope.In("head"), loopEncoder(graph.Tanh)(scope.In("encoder"), images), 10)
		return loss.SparseCategoricalCrossEntropyLogits([]*graph.Node{graph.ExpandAxes(labels, -1)}, []*graph.Node{logits})
	}
	random, _ := NewModel("random", "", "cross-entropy")
	pre, _ := NewModel("pretrained", "", "cross-entropy")
	start := func(m *Model, seed int64, copyEncoder bool) map[string][]float32 {
		t.Helper()
		if copyEncoder {
			if err := m.CopyWeights(ae.Model, "encoder"); err != nil {
				t.Fatal(err)
			}
		}
		c := quiet(1)
		c.Seed = seed
		if _, err := m.TrainFresh(train, nil, c, still); err != nil {
			t.Fatal(err)
		}
		return weights(t, m)
	}
	aeEncoder := part(weights(t, ae.Model), "/encoder/")
	r1, p1 := start(random, 1, false), start(pre, 1, true)
	if !sameWeights(part(r1, "/head/"), part(p1, "/head/")) || len(part(r1, "/head/")) == 0 {
		t.Error("seed 1: the random and the pretrained start drew different heads")
	}
	if !sameWeights(part(p1, "/encoder/"), aeEncoder) || sameWeights(part(r1, "/encoder/"), aeEncoder) {
		t.Error("seed 1: the pretrained start does not have the AE's encoder, or the random one has it")
	}
	if r2 := start(random, 2, false); sameWeights(part(r2, "/head/"), part(r1, "/head/")) {
		t.Error("seed 2 drew the same head as seed 1")
	}
	if r1again := start(random, 1, false); !sameWeights(r1again, r1) {
		t.Error("seed 1 again: different weights")
	}
	// Without a new copy the pretrained model's encoder is drawn from the seed, as the random one's.
	if p := start(pre, 1, false); !sameWeights(p, r1) {
		t.Error("the pretrained model trained fresh without a copy differs from the random start")
	}

	// Training twice from the same seed gives the same run: Adam's state starts from zero each time,
	// also with one Adam per scope, each with its learning rate (kept in /encoder/optimizers/...).
	twoRates := func(scope *model.Scope, images, labels *graph.Node) *graph.Node {
		logits := Linear(scope.In("head"), loopEncoder(graph.Tanh)(scope.In("encoder"), images), 10)
		l := loss.SparseCategoricalCrossEntropyLogits([]*graph.Node{graph.ExpandAxes(labels, -1)}, []*graph.Node{logits})
		optimizer.Adam().LearningRate(0.0001).Done().UpdateGraph(scope.At("encoder"), images.Graph(), l)
		optimizer.Adam().LearningRate(0.01).Done().UpdateGraph(scope.At("head"), images.Graph(), l)
		return l
	}
	m2, _ := NewModel("two rates", "", "cross-entropy")
	var losses [][]float64
	for range 2 {
		h, err := m2.TrainFresh(train, nil, quiet(2), twoRates)
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, h.Steps)
	}
	if !slices.Equal(losses[0], losses[1]) {
		t.Errorf("two fresh runs with two learning rates: losses %v and %v; want equal", losses[0], losses[1])
	}
	if v := m2.Store.GetVariable("/encoder/optimizers/learning_rate"); v == nil || isModelVar(v) || tensors.ToScalar[float32](v.MustValue()) != 0.0001 {
		t.Errorf("the encoder's learning rate variable: %v", v)
	}

	m, _ := NewModel("adam", "", "cross-entropy")
	var runs [][]float64
	for range 2 {
		if err := m.CopyWeights(ae.Model, "encoder"); err != nil {
			t.Fatal(err)
		}
		h, err := m.TrainFresh(train, nil, quiet(2), encoderClassifierStep(false))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, h.Steps)
	}
	if !slices.Equal(runs[0], runs[1]) || runs[0][len(runs[0])-1] >= runs[0][0] {
		t.Errorf("two fresh runs from one seed: losses %v and %v; want equal and falling", runs[0], runs[1])
	}
	if _, err := m.TrainFresh(train, nil, quiet(1), nil); err == nil || !strings.Contains(err.Error(), "step is nil") {
		t.Errorf("nil step: err = %v", err)
	}
}

package aelib

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// checkErr fails unless err is an ErrInvalid error of aelib whose text
// holds every string of want.
func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one with %q", want)
	}
	if !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "aelib: ") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q: want one line of aelib of kind ErrInvalid", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

func TestROC(t *testing.T) {
	f, T := false, true
	for _, tc := range []struct {
		name      string
		scores    []float64
		anomalous []bool
		fpr, tpr  []float64
		auroc     float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{f, f, T, T},
			[]float64{0, 0, 0, 0.5, 1}, []float64{0, 0.5, 1, 1, 1}, 1},
		{"reversed", []float64{0.8, 0.9, 0.1, 0.2}, []bool{f, f, T, T},
			[]float64{0, 0.5, 1, 1, 1}, []float64{0, 0, 0, 0.5, 1}, 0},
		{"all tied", []float64{3, 3, 3, 3, 3}, []bool{f, T, f, T, f},
			[]float64{0, 1}, []float64{0, 1}, 0.5},
		// Sorted: 0.8 (anomalous), 0.4 (normal), 0.35 (anomalous), 0.1 (normal). Of the 4 pairs
		// (anomalous, normal), 3 rank the anomalous digit higher: 0.8>0.4, 0.8>0.1, 0.35>0.1.
		{"mixed", []float64{0.1, 0.4, 0.35, 0.8}, []bool{f, f, T, T},
			[]float64{0, 0, 0.5, 0.5, 1}, []float64{0, 0.5, 0.5, 1, 1}, 0.75},
		// A tie between an anomalous and a normal digit is one diagonal step and counts ½:
		// pairs (0.9,0.5) 1, (0.9,0.2) 1, (0.5,0.5) ½, (0.5,0.2) 1 → 3.5/4.
		{"tie across classes", []float64{0.9, 0.5, 0.5, 0.2}, []bool{T, T, f, f},
			[]float64{0, 0, 0.5, 1}, []float64{0, 0.5, 1, 1}, 0.875},
		// Ties within a class change nothing but the number of points.
		{"tie within a class", []float64{0.7, 0.7, 0.3, 0.3, 0.5}, []bool{T, T, f, f, f},
			[]float64{0, 0, 1.0 / 3, 1}, []float64{0, 1, 1, 1}, 1},
		{"one of each", []float64{-1, 2}, []bool{T, f},
			[]float64{0, 1, 1}, []float64{0, 0, 1}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ROC(tc.scores, tc.anomalous)
			if err != nil {
				t.Fatal(err)
			}
			if !closeAll(c.FPR, tc.fpr) || !closeAll(c.TPR, tc.tpr) {
				t.Errorf("points FPR %v TPR %v, want %v and %v", c.FPR, c.TPR, tc.fpr, tc.tpr)
			}
			if math.Abs(c.AUROC-tc.auroc) > 1e-12 {
				t.Errorf("AUROC %v, want %v", c.AUROC, tc.auroc)
			}
		})
	}
}

// TestROCMannWhitney: on random scores with many ties, the area equals the
// share of (anomalous, normal) pairs in which the anomalous digit scores
// higher, ties counting ½, and the curve runs monotonically from (0,0) to (1,1).
func TestROCMannWhitney(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 2 + r.IntN(60)
		scores, anomalous := make([]float64, n), make([]bool, n)
		for i := range scores {
			anomalous[i] = i == 0 || i != 1 && r.IntN(3) == 0
			scores[i] = float64(r.IntN(8)) // few distinct values: many ties
			if anomalous[i] {
				scores[i] += float64(r.IntN(3))
			}
		}
		c, err := ROC(scores, anomalous)
		if err != nil {
			t.Fatal(err)
		}
		var wins, pairs float64
		for i := range scores {
			for j := range scores {
				if anomalous[i] && !anomalous[j] {
					pairs++
					switch {
					case scores[i] > scores[j]:
						wins++
					case scores[i] == scores[j]:
						wins += 0.5
					}
				}
			}
		}
		if math.Abs(c.AUROC-wins/pairs) > 1e-12 {
			t.Errorf("trial %d: AUROC %v, Mann–Whitney %v", trial, c.AUROC, wins/pairs)
		}
		distinct := len(slices.Compact(slices.Sorted(slices.Values(scores))))
		last := len(c.FPR) - 1
		if len(c.FPR) != distinct+1 || len(c.TPR) != len(c.FPR) || c.FPR[0] != 0 || c.TPR[0] != 0 || c.FPR[last] != 1 || c.TPR[last] != 1 {
			t.Fatalf("trial %d: %d points for %d distinct scores, from (%v,%v) to (%v,%v)", trial, len(c.FPR), distinct, c.FPR[0], c.TPR[0], c.FPR[last], c.TPR[last])
		}
		for i := 1; i <= last; i++ {
			if c.FPR[i] < c.FPR[i-1] || c.TPR[i] < c.TPR[i-1] {
				t.Fatalf("trial %d: point %d goes back", trial, i)
			}
		}
	}
}

func TestROCErrors(t *testing.T) {
	f, T := false, true
	for _, tc := range []struct {
		name      string
		scores    []float64
		anomalous []bool
		want      []string
	}{
		{"empty", nil, nil, []string{"ROC score count 0 invalid", "at least one"}},
		{"lengths", []float64{1, 2, 3}, []bool{T, f}, []string{"ROC flag count 2 invalid", "must be 3"}},
		{"NaN", []float64{1, math.NaN()}, []bool{T, f}, []string{"ROC score 1 (NaN) invalid", "finite"}},
		{"Inf", []float64{math.Inf(1), 0}, []bool{T, f}, []string{"ROC score 0 (+Inf) invalid", "finite"}},
		{"no anomalous", []float64{1, 2}, []bool{f, f}, []string{"ROC anomalous count 0 invalid"}},
		{"no normal", []float64{1, 2}, []bool{T, T}, []string{"ROC normal count 0 invalid", "one normal"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ROC(tc.scores, tc.anomalous)
			checkErr(t, err, tc.want)
			if c.FPR != nil || c.TPR != nil || c.AUROC != 0 {
				t.Errorf("curve %+v returned with the error", c)
			}
		})
	}
}

func TestThreshold(t *testing.T) {
	// Sorted: 1 2 4 7 10 (n = 5, h = 4q).
	scores := []float64{7, 1, 10, 4, 2}
	for _, tc := range []struct {
		q, want float64
	}{
		{0, 1},
		{1, 10},
		{0.5, 4},       // h = 2: the median
		{0.25, 2},      // h = 1
		{0.95, 9.4},    // h = 3.8: 7 + 0.8·(10−7)
		{0.1, 1.4},     // h = 0.4: 1 + 0.4·(2−1)
		{0.625, 5.5},   // h = 2.5: halfway between 4 and 7
		{0.999, 9.988}, // h = 3.996
	} {
		got, err := Threshold(scores, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("quantile %v: %v, want %v", tc.q, got, tc.want)
		}
	}
	if !slices.Equal(scores, []float64{7, 1, 10, 4, 2}) {
		t.Errorf("Threshold changed its input: %v", scores)
	}
	for _, tc := range []struct {
		scores []float64
		q      float64
		want   float64
	}{
		{[]float64{3}, 0.95, 3},
		{[]float64{2, 2, 2}, 0.3, 2},
		{[]float64{0, 1}, 0.95, 0.95},
	} {
		if got, err := Threshold(tc.scores, tc.q); err != nil || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("quantile %v of %v: %v (%v), want %v", tc.q, tc.scores, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name   string
		scores []float64
		q      float64
		want   []string
	}{
		{"empty", nil, 0.5, []string{"threshold score count 0 invalid"}},
		{"q above 1", []float64{1}, 95, []string{"threshold quantile 95 invalid", "0..1"}},
		{"q negative", []float64{1}, -0.1, []string{"quantile -0.1 invalid"}},
		{"q NaN", []float64{1}, math.NaN(), []string{"quantile NaN invalid"}},
		{"score NaN", []float64{1, 2, math.NaN()}, 0.5, []string{"threshold score 2 (NaN) invalid", "finite"}},
		{"score Inf", []float64{math.Inf(-1)}, 0.5, []string{"score 0 (-Inf) invalid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Threshold(tc.scores, tc.q)
			checkErr(t, err, tc.want)
			if got != 0 {
				t.Errorf("value %v returned with the error", got)
			}
		})
	}
}

func TestPrecisionRecall(t *testing.T) {
	f, T := false, true
	// 6 digits, 3 anomalous (0.9, 0.6, 0.2).
	scores := []float64{0.9, 0.8, 0.6, 0.5, 0.2, 0.1}
	anomalous := []bool{T, f, T, f, T, f}
	for _, tc := range []struct {
		threshold         float64
		precision, recall float64
	}{
		{0.7, 1.0 / 2, 1.0 / 3},   // flags 0.9 (yes), 0.8 (no)
		{0.55, 2.0 / 3, 2.0 / 3},  // and 0.6 (yes)
		{0.6, 1.0 / 2, 1.0 / 3},   // 0.6 is not above 0.6
		{0.15, 3.0 / 5, 3.0 / 3},  // all but 0.1
		{-1, 3.0 / 6, 1},          // all
		{0.95, 1, 0},              // none: no false alarm
		{math.Inf(1), 1, 0},       // none
		{0.85, 1.0 / 1, 1.0 / 3},  // 0.9 alone
		{0.3, 2.0 / 4, 2.0 / 3.0}, // 0.9, 0.8, 0.6, 0.5
	} {
		p, r, err := PrecisionRecall(scores, anomalous, tc.threshold)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p-tc.precision) > 1e-12 || math.Abs(r-tc.recall) > 1e-12 {
			t.Errorf("threshold %v: precision %v recall %v, want %v and %v", tc.threshold, p, r, tc.precision, tc.recall)
		}
	}
	if _, r, err := PrecisionRecall([]float64{1, 2}, []bool{T, T}, 1.5); err != nil || r != 0.5 {
		t.Errorf("no normal digits: recall %v (%v), want 0.5", r, err)
	}
	for _, tc := range []struct {
		name      string
		scores    []float64
		anomalous []bool
		threshold float64
		want      []string
	}{
		{"empty", nil, nil, 0, []string{"precision-recall score count 0 invalid"}},
		{"lengths", []float64{1}, []bool{T, f}, 0, []string{"precision-recall flag count 2 invalid", "must be 1"}},
		{"NaN score", []float64{math.NaN(), 1}, []bool{T, f}, 0, []string{"precision-recall score 0 (NaN) invalid"}},
		{"no anomalous", []float64{1, 2}, []bool{f, f}, 0, []string{"anomalous count 0 invalid"}},
		{"NaN threshold", []float64{1, 2}, []bool{T, f}, math.NaN(), []string{"precision-recall threshold NaN invalid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, r, err := PrecisionRecall(tc.scores, tc.anomalous, tc.threshold)
			checkErr(t, err, tc.want)
			if p != 0 || r != 0 {
				t.Errorf("precision %v recall %v returned with the error", p, r)
			}
		})
	}
}

// closeAll reports whether a and b have the same length and agree to 1e-12.
func closeAll(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Abs(x-y) <= 1e-12 })
}

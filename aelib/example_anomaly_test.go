package aelib_test

import (
	"fmt"

	"github.com/aelecture/autoencoder-go/aelib"
)

// Anomaly scores of four test digits, two of them anomalous, as in notebook
// 10: the curve's points and its area.
func ExampleROC() {
	c, err := aelib.ROC([]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.FPR, c.TPR, c.AUROC)
	// Output: [0 0 0.5 0.5 1] [0 0.5 0.5 1 1] 0.75
}

// A threshold from held-out normal digits: 95% of them score at or under it.
// Test digits above it are flagged.
func ExampleThreshold() {
	heldOut := []float64{0.010, 0.012, 0.009, 0.011, 0.030}
	thr, err := aelib.Threshold(heldOut, 0.95)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, r, err := aelib.PrecisionRecall([]float64{0.008, 0.02, 0.05, 0.011}, []bool{false, false, true, true}, thr)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("threshold %.4f: precision %.2f, recall %.2f\n", thr, p, r)
	// Output: threshold 0.0264: precision 1.00, recall 0.50
}

// Reconstruction errors of normal and other digits on shared log-spaced
// bins, the threshold marked.
func ExampleHistogram() {
	f, err := aelib.Histogram(aelib.HistogramOptions{
		ChartOptions: aelib.ChartOptions{Title: "reconstruction error of test digits", XLabel: "per-pixel MSE", LogX: true},
		Marks:        []aelib.Mark{{X: 0.02, Label: "threshold"}},
	}, 30, aelib.Sample{Name: "digit 1 (normal)", Values: []float64{0.008, 0.01, 0.012, 0.015}},
		aelib.Sample{Name: "other digits", Values: []float64{0.02, 0.03, 0.05}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Width, f.Height)
	// Output: 700 420
}

// A convolution's first-layer filters, 3×3 each, blue negative and red positive.
func ExampleFilters() {
	edge := []float32{-1, 0, 1, -2, 0, 2, -1, 0, 1}
	blob := []float32{0, 1, 0, 1, 4, 1, 0, 1, 0}
	f, err := aelib.Filters([][]float32{edge, blob}, 3, aelib.GridOptions{Cols: 2, Titles: []string{"edge", "blob"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Width > 2*36, f.Height > 36)
	// Output: true true
}

package aelib

import (
	"math"
	"strings"
	"testing"
)

func TestKNNAndNearest(t *testing.T) {
	// Two clusters on a line: class 0 near x=0, class 1 near x=10.
	ref := []float32{0, 0, 1, 0, 2, 0, 10, 0, 11, 0, 12, 0}
	refLabels := []int{0, 0, 0, 1, 1, 1}
	query := []float32{0.5, 0, 11.5, 0, 9, 0}
	tests := []struct {
		labels []int
		k      int
		want   float64
	}{
		{[]int{0, 1, 1}, 1, 1},
		{[]int{0, 1, 1}, 3, 1},
		{[]int{1, 0, 0}, 3, 0},
		{[]int{0, 1, 0}, 1, 2.0 / 3},
	}
	for _, tc := range tests {
		got, err := KNNAccuracy(ref, refLabels, query, tc.labels, 2, tc.k)
		if err != nil || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("KNNAccuracy(k=%d, labels %v) = %v, %v; want %v", tc.k, tc.labels, got, err, tc.want)
		}
	}
	for _, bad := range []struct {
		k, dim  int
		wantErr string
	}{{0, 2, "k=0"}, {7, 2, "k=7"}, {1, 0, "dimension 0"}, {1, 3, "do not match"}} {
		if _, err := KNNAccuracy(ref, refLabels, query, []int{0, 1, 1}, bad.dim, bad.k); err == nil || !strings.Contains(err.Error(), bad.wantErr) {
			t.Errorf("k=%d dim=%d: err = %v, want %q", bad.k, bad.dim, err, bad.wantErr)
		}
	}
	nb, err := Nearest(ref, 2, 4, 3) // from (11,0): 10 and 12 tie, then 2
	if err != nil || !slicesEqual(nb, []int{3, 5, 2}) {
		t.Errorf("Nearest = %v, %v; want [3 5 2]", nb, err)
	}
	for _, bad := range [][3]int{{2, 6, 1}, {2, 0, 6}, {5, 0, 1}} {
		if _, err := Nearest(ref, bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("Nearest(dim=%d, query=%d, n=%d) gave no error", bad[0], bad[1], bad[2])
		}
	}
}

func TestPCA(t *testing.T) {
	// Images varying along one direction (pixel 0 - pixel 1) much more than another (pixel 2).
	d := &Digits{}
	for i := range 200 {
		img := make([]float32, Pixels)
		a := float32(i%20) / 20
		img[0], img[1] = a, 1-a
		img[2] = float32(i%2) * 0.1
		d.X = append(d.X, img...)
		d.Labels = append(d.Labels, i%10)
	}
	p, err := FitPCA(d, 2)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Components[0]
	if math.Abs(math.Abs(c[0])-math.Sqrt(0.5)) > 1e-3 || math.Abs(c[0]+c[1]) > 1e-3 {
		t.Errorf("first component %v %v, want ±(0.707, -0.707)", c[0], c[1])
	}
	if math.Abs(math.Abs(p.Components[1][2])-1) > 1e-3 || p.Variance[0] <= p.Variance[1] {
		t.Errorf("second component %v, variances %v", p.Components[1][2], p.Variance)
	}
	proj, err := p.Project(d.X[:2*Pixels])
	if err != nil || len(proj) != 4 {
		t.Fatalf("Project = %v, %v", proj, err)
	}
	// The data vary in a 2-D plane, so 2 components reconstruct it exactly; 1 does not.
	rec, err := p.Reconstruct(mustProject(t, p, d.X))
	if err != nil {
		t.Fatal(err)
	}
	if e := maxAbsDiff(rec, d.X); e > 1e-5 {
		t.Errorf("2-component reconstruction off by %g, want exact", e)
	}
	p1, err := FitPCA(d, 1)
	if err != nil {
		t.Fatal(err)
	}
	rec1, err := p1.Reconstruct(mustProject(t, p1, d.X))
	if err != nil {
		t.Fatal(err)
	}
	if e := maxAbsDiff(rec1, d.X); e < 0.04 {
		t.Errorf("1-component reconstruction off by only %g: the third pixel's variation should be lost", e)
	}
	if _, err := p.Reconstruct(make([]float32, 3)); err == nil {
		t.Error("Reconstruct of 3 values with 2 components gave no error")
	}
	if _, err := FitPCA(d, 0); err == nil {
		t.Error("FitPCA(k=0) gave no error")
	}
	if _, err := p.Project(make([]float32, 5)); err == nil {
		t.Error("Project of 5 values gave no error")
	}
}

func mustProject(t *testing.T, p *PCA, x []float32) []float32 {
	t.Helper()
	c, err := p.Project(x)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func maxAbsDiff(a, b []float32) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

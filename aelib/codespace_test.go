package aelib

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestNearestVote(t *testing.T) {
	// Two clusters on a line: class 0 near x=0, class 1 near x=10.
	ref := []float32{0, 0, 1, 0, 2, 0, 10, 0, 11, 0, 12, 0}
	refLabels := []int{0, 0, 0, 1, 1, 1}
	query := []float32{0.5, 0, 11.5, 0, 9, 0, 11, 0}
	for _, tc := range []struct {
		k       int
		nearest [][]int
		votes   []int
	}{
		{1, [][]int{{0}, {4}, {3}, {4}}, []int{0, 1, 1, 1}},
		// from (11,0): itself first, then 10 and 12 tie (lower index first)
		{3, [][]int{{0, 1, 2}, {4, 5, 3}, {3, 4, 5}, {4, 3, 5}}, []int{0, 1, 1, 1}},
		// 6 neighbours: 3 votes each, the nearer neighbour's digit wins the tie
		{6, [][]int{{0, 1, 2, 3, 4, 5}, {4, 5, 3, 2, 1, 0}, {3, 4, 5, 2, 1, 0}, {4, 3, 5, 2, 1, 0}}, []int{0, 1, 1, 1}},
	} {
		nb, err := Nearest(ref, query, 2, tc.k)
		if err != nil || !slices.EqualFunc(nb, tc.nearest, slices.Equal) {
			t.Errorf("Nearest(k=%d) = %v, %v; want %v", tc.k, nb, err, tc.nearest)
			continue
		}
		votes, err := Vote(nb, refLabels)
		if err != nil || !slices.Equal(votes, tc.votes) {
			t.Errorf("Vote(k=%d) = %v, %v; want %v", tc.k, votes, err, tc.votes)
		}
	}
	// Ties go to the digit of the nearer neighbour, not to the digit that
	// first reaches the top count: digits 9 8 5 8 9 (nearest first) vote 9.
	for _, tc := range []struct {
		digits []int
		want   int
	}{
		{[]int{9, 8, 5, 8, 9}, 9},
		{[]int{5, 8, 9, 8, 9}, 8},
		{[]int{5, 8, 9, 8, 9, 9}, 9},
		{[]int{1, 2, 3, 4, 5}, 1},
		{[]int{7}, 7},
	} {
		nb := []int{}
		for i := range tc.digits {
			nb = append(nb, i)
		}
		got, err := Vote([][]int{nb}, tc.digits)
		if err != nil || got[0] != tc.want {
			t.Errorf("Vote of digits %v = %v, %v; want %d", tc.digits, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"k 0", func() error { _, err := Nearest(ref, query, 2, 0); return err }, "k=0 invalid: must be 1..6"},
		{"k 7", func() error { _, err := Nearest(ref, query, 2, 7); return err }, "k=7 invalid"},
		{"dim 0", func() error { _, err := Nearest(ref, query, 0, 1); return err }, "dimension 0 invalid"},
		{"ragged", func() error { _, err := Nearest(ref, query[:3], 2, 1); return err }, "3 query values invalid"},
		{"no query", func() error { _, err := Nearest(ref, nil, 2, 1); return err }, "at least one query"},
		{"empty list", func() error { _, err := Vote([][]int{{}}, refLabels); return err }, "query 0 has no neighbours"},
		{"bad index", func() error { _, err := Vote([][]int{{9}}, refLabels); return err }, "neighbour 9 of query 0 invalid: valid are 0..5"},
		{"bad label", func() error { _, err := Vote([][]int{{0}}, []int{10}); return err }, "label 10 of neighbour 0 invalid"},
	} {
		err := tc.call()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want %q of kind ErrInvalid", tc.name, err, tc.want)
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
	c := p.components[0]
	if math.Abs(math.Abs(c[0])-math.Sqrt(0.5)) > 1e-3 || math.Abs(c[0]+c[1]) > 1e-3 {
		t.Errorf("first component %v %v, want ±(0.707, -0.707)", c[0], c[1])
	}
	if math.Abs(math.Abs(p.components[1][2])-1) > 1e-3 || p.variance[0] <= p.variance[1] {
		t.Errorf("second component %v, variances %v", p.components[1][2], p.variance)
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

package aelib

import (
	"strings"
	"testing"
)

// toyDigits returns n images whose pixels all equal i/n, labelled i%10.
func toyDigits(n int) *Digits {
	d := &Digits{X: make([]float32, n*Pixels), Labels: make([]int, n)}
	for i := range n {
		for j := range Pixels {
			d.X[i*Pixels+j] = float32(i) / float32(n)
		}
		d.Labels[i] = i % 10
	}
	return d
}

func TestSubsets(t *testing.T) {
	d := toyDigits(200)
	s, err := d.Subset([]int{5, 2})
	if err != nil || s.Len() != 2 || s.Labels[0] != 5 || s.Image(1)[0] != d.Image(2)[0] {
		t.Fatalf("Subset = %v, %v", s, err)
	}
	s.X[0] = 42
	if d.Image(5)[0] == 42 {
		t.Error("Subset shares memory with its source")
	}
	if _, err := d.Subset([]int{200}); err == nil || !strings.Contains(err.Error(), "0..199") {
		t.Errorf("Subset out of range: err = %v", err)
	}
	if h := d.Head(3); h.Len() != 3 || h.Labels[2] != 2 {
		t.Errorf("Head(3) = %v", h.Labels)
	}
	if h := d.Head(1000); h.Len() != 200 {
		t.Errorf("Head(1000) has %d images, want 200", h.Len())
	}
	a, _ := d.Sample(50, 7)
	b, _ := d.Sample(50, 7)
	c, _ := d.Sample(50, 8)
	if !slicesEqual(a.Labels, b.Labels) || !slicesEqual(a.X, b.X) {
		t.Error("Sample with one seed gave different images")
	}
	if slicesEqual(a.X, c.X) {
		t.Error("Sample with two seeds gave the same images")
	}
	seen := map[float32]bool{}
	for i := range a.Len() {
		seen[a.Image(i)[0]] = true
	}
	if len(seen) != 50 {
		t.Errorf("Sample drew %d distinct images of 50", len(seen))
	}
	if _, err := d.Sample(201, 1); err == nil {
		t.Error("Sample(201) of 200 gave no error")
	}
	bal, err := d.Balanced(10, 3)
	if err != nil {
		t.Fatal(err)
	}
	var counts [10]int
	for _, l := range bal.Labels {
		counts[l]++
	}
	for c, n := range counts {
		if n != 10 {
			t.Errorf("Balanced: digit %d has %d images, want 10", c, n)
		}
	}
	for _, per := range []int{0, 21} {
		if _, err := d.Balanced(per, 3); err == nil {
			t.Errorf("Balanced(%d) gave no error", per)
		}
	}
	if ims := d.Images(); len(ims) != 200 || len(ims[7]) != Pixels || ims[7][0] != d.Image(7)[0] {
		t.Error("Images does not return per-image views")
	}
}

func TestNoisy(t *testing.T) {
	d := toyDigits(20)
	n, err := d.Noisy(0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := d.Noisy(0.5, 1)
	if !slicesEqual(n.X, m.X) {
		t.Error("Noisy with one seed gave different noise")
	}
	var changed, clipped int
	for i, v := range n.X {
		if v < 0 || v > 1 {
			t.Fatalf("pixel %d = %v outside [0,1]", i, v)
		}
		if v != d.X[i] {
			changed++
		}
		if v == 0 || v == 1 {
			clipped++
		}
	}
	if changed < len(d.X)*9/10 || clipped == 0 {
		t.Errorf("noise changed %d and clipped %d of %d pixels", changed, clipped, len(d.X))
	}
	if z, _ := d.Noisy(0, 1); !slicesEqual(z.X, d.X) {
		t.Error("Noisy(0) changed pixels")
	}
	for _, f := range []float64{-0.1, nan()} {
		if _, err := d.Noisy(f, 1); err == nil || !strings.Contains(err.Error(), "noise factor") {
			t.Errorf("Noisy(%v): err = %v", f, err)
		}
	}
}

func nan() float64 { var z float64; return z / z }

package aelib

import (
	"errors"
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
	s, err := d.subset([]int{5, 2})
	if err != nil || s.Len() != 2 || s.Labels[0] != 5 || s.Image(1)[0] != d.Image(2)[0] {
		t.Fatalf("Subset = %v, %v", s, err)
	}
	s.X[0] = 42
	if d.Image(5)[0] == 42 {
		t.Error("Subset shares memory with its source")
	}
	if _, err := d.subset([]int{200}); err == nil || !strings.Contains(err.Error(), "0..199") {
		t.Errorf("Subset out of range: err = %v", err)
	}
	if h := d.Head(3); h.Len() != 3 || h.Labels[2] != 2 {
		t.Errorf("Head(3) = %v", h.Labels)
	}
	if h := d.Head(1000); h.Len() != 200 {
		t.Errorf("Head(1000) has %d images, want 200", h.Len())
	}
	a, _ := d.sample(50, 7)
	b, _ := d.sample(50, 7)
	c, _ := d.sample(50, 8)
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
	if _, err := d.sample(201, 1); err == nil {
		t.Error("Sample(201) of 200 gave no error")
	}
}

func nan() float64 { var z float64; return z / z }

func TestSplitImages(t *testing.T) {
	flat := make([]float32, 3*Pixels)
	for i := range flat {
		flat[i] = float32(i / Pixels) // image i is all i
	}
	for _, tc := range []struct {
		name string
		in   []float32
		n    int
		err  string
	}{
		{"three", flat, 3, ""},
		{"none", nil, 0, ""},
		{"ragged", flat[:Pixels+1], 0, "split images: 785 values invalid: must be a multiple of 784"},
	} {
		imgs, err := SplitImages(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: err %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || len(imgs) != tc.n {
			t.Fatalf("%s: %d images, %v; want %d", tc.name, len(imgs), err, tc.n)
		}
		for i, img := range imgs {
			if len(img) != Pixels || img[0] != float32(i) || img[Pixels-1] != float32(i) || cap(img) != Pixels {
				t.Errorf("%s: image %d has %d values (cap %d), first %v", tc.name, i, len(img), cap(img), img[0])
			}
		}
	}
}

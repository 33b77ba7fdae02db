package aelib

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestReferee: knowing 3,000 training digits and calibrated on 50 test
// digits, the referee accepts most of 40 other test digits and names them
// right, and rejects uniform noise. (NewReferee knows all 60,000: too slow
// for the tests on the pure Go backend.)
func TestReferee(t *testing.T) {
	train, test := digits(t, 3000, 90)
	r, err := newReferee(train, test, 0.9, 50)
	if err != nil {
		t.Fatal(err)
	}
	if !(r.Threshold > 0.5 && r.Threshold < 1) {
		t.Fatalf("threshold %v, want a cosine similarity in (0.5, 1)", r.Threshold)
	}
	x := test.X[50*Pixels:]
	sim, ok, digit, err := r.Judge(x)
	if err != nil || len(sim) != 40 || len(ok) != 40 || len(digit) != 40 {
		t.Fatalf("Judge: %d, %d, %d results, %v", len(sim), len(ok), len(digit), err)
	}
	accepted, right := 0, 0
	for i := range ok {
		if ok[i] {
			accepted++
		}
		if digit[i] == test.Labels[50+i] {
			right++
		}
	}
	if accepted < 30 || right < 36 {
		t.Errorf("real digits: %d of 40 accepted, %d named right; want ≥ 30 and ≥ 36", accepted, right)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]float32, 20*Pixels)
	for i := range noise {
		noise[i] = rng.Float32()
	}
	_, ok, _, err = r.Judge(noise)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range ok {
		if a {
			t.Errorf("noise image %d accepted", i)
		}
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"ragged", func() error { _, _, _, err := r.Judge(make([]float32, 100)); return err }, "100 pixel values invalid"},
		{"accept 1", func() error { _, err := NewReferee(1, 50); return err }, "accept 1 and 50 calibration digits invalid"},
		{"no digits", func() error { _, err := NewReferee(0.9, 0); return err }, "0 calibration digits invalid"},
		{"too many", func() error { _, err := newReferee(train, test, 0.9, 91); return err }, "91 calibration digits invalid: accept must be in (0, 1), digits 1..90"},
	} {
		if err := tc.call(); err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}

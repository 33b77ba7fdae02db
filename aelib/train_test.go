package aelib

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig()
	tests := []struct {
		name string
		edit func(c *Config)
		want string // "" = valid
	}{
		{"default", func(c *Config) {}, ""},
		{"batch=n", func(c *Config) { c.Batch = 1000 }, ""},
		{"noise", func(c *Config) { c.Noise = 0.5 }, ""},
		{"never halve", func(c *Config) { c.HalveAfter = 0 }, ""},
		{"epochs 0", func(c *Config) { c.Epochs = 0 }, "aelib: epochs 0 invalid: must be 1..10000"},
		{"batch 0", func(c *Config) { c.Batch = 0 }, "aelib: batch 0 invalid: must be 1..1000"},
		{"batch > n", func(c *Config) { c.Batch = 1001 }, "aelib: batch 1001 invalid: must be 1..1000"},
		{"lr 0", func(c *Config) { c.LR = 0 }, "aelib: lr 0 invalid: must be a number in (0, 1]"},
		{"lr NaN", func(c *Config) { c.LR = math.NaN() }, "aelib: lr NaN invalid"},
		{"lr 2", func(c *Config) { c.LR = 2 }, "aelib: lr 2 invalid"},
		{"halve -1", func(c *Config) { c.HalveAfter = -1 }, "aelib: halve_after -1 invalid: must be 0 (never) or an epoch ≥ 1"},
		{"noise -0.1", func(c *Config) { c.Noise = -0.1 }, "aelib: noise -0.1 invalid: must be 0..1"},
		{"noise 3", func(c *Config) { c.Noise = 3 }, "aelib: noise 3 invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := c.Validate(1000)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Validate error %v, want one line starting %q", err, tc.want)
			}
		})
	}
}

func TestLRSchedule(t *testing.T) {
	c := DefaultConfig()
	for epoch, want := range map[int]float64{1: 1e-3, 10: 1e-3, 11: 5e-4, 20: 5e-4} {
		if got := c.LRAt(epoch); got != want {
			t.Errorf("LRAt(%d) = %g, want %g", epoch, got, want)
		}
	}
	c.HalveAfter = 0
	if got := c.LRAt(20); got != 1e-3 {
		t.Errorf("HalveAfter 0: LRAt(20) = %g", got)
	}
}

// TestFitLowersLoss trains the reference AE for one epoch on 2,000 digits.
func TestFitLowersLoss(t *testing.T) {
	d := mlDigits(t, 2000)
	ae, err := ReferenceAE(mlBackend(t))
	if err != nil {
		t.Fatal(err)
	}
	before, err := ae.MSE(d)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ae.Fit(d, mlQuiet(1))
	if err != nil {
		t.Fatal(err)
	}
	after, err := ae.MSE(d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("per-pixel MSE before %.4f, after one epoch %.4f; steps %.4f … %.4f; %.0f images/s",
		before, after, h.Steps[0], h.Steps[len(h.Steps)-1], h.ImagesPerSecond)
	if len(h.Steps) != 32 || len(h.Epoch) != 1 { // 2000/64 = 31 full batches + one of 16
		t.Errorf("%d steps, %d epochs; want 32 and 1", len(h.Steps), len(h.Epoch))
	}
	if !(after < 0.8*before) {
		t.Errorf("MSE %.4f → %.4f: want a drop of at least 20%%", before, after)
	}
	if last := h.Steps[len(h.Steps)-1]; !(last < h.Steps[0]) {
		t.Errorf("step loss %.4f → %.4f did not fall", h.Steps[0], last)
	}
}

func TestFitSeeds(t *testing.T) {
	d := mlDigits(t, 600)
	run := func(seed int64, noise float64) []float64 {
		ae := mlSmallAE(t, "seeded")
		cfg := mlQuiet(2)
		cfg.Seed, cfg.Noise = seed, noise
		h, err := ae.Fit(d, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return h.Steps
	}
	tests := []struct {
		name         string
		seedA, seedB int64
		noise        float64
		same         bool
	}{
		{"same seed", 42, 42, 0, true},
		{"other seed", 42, 43, 0, false},
		{"same seed, denoising", 7, 7, 0.5, true},
	}
	for _, tc := range tests {
		a, b := run(tc.seedA, tc.noise), run(tc.seedB, tc.noise)
		if got := slices.Equal(a, b); got != tc.same {
			t.Errorf("%s: losses equal = %v, want %v (first %v vs %v)", tc.name, got, tc.same, a[:3], b[:3])
		}
	}
}

// TestFitAfterUse: encoding before Fit must not change what Fit does.
func TestFitAfterUse(t *testing.T) {
	d := mlDigits(t, 300)
	a := mlSmallAE(t, "a")
	ha, err := a.Fit(d, mlQuiet(1))
	if err != nil {
		t.Fatal(err)
	}
	b := mlSmallAE(t, "b")
	if _, _, err := b.Encode(d.X[:Pixels]); err != nil {
		t.Fatal(err)
	}
	cfg := mlQuiet(1)
	hb, err := b.Fit(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ha.Steps, hb.Steps) {
		t.Errorf("Fit after Encode differs: %v vs %v", ha.Steps[:3], hb.Steps[:3])
	}
	// A second Fit continues from the trained weights.
	hc, err := b.Fit(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !(hc.Epoch[0] < hb.Epoch[0]) {
		t.Errorf("second Fit epoch mse %.4f not below first %.4f", hc.Epoch[0], hb.Epoch[0])
	}
}

func TestFitErrors(t *testing.T) {
	ae := mlSmallAE(t, "errs")
	d := mlDigits(t, 100)
	tests := []struct {
		name string
		d    *Digits
		edit func(c *Config)
		want string
	}{
		{"batch 0", d, func(c *Config) { c.Batch = 0 }, "aelib: batch 0 invalid: must be 1..100"},
		{"epochs -1", d, func(c *Config) { c.Epochs = -1 }, "aelib: epochs -1 invalid"},
		{"nil data", nil, func(c *Config) {}, "aelib: digits nil"},
		{"ragged data", &Digits{X: make([]float32, 10), Labels: []int{1}}, func(c *Config) {}, "aelib: digits invalid"},
	}
	for _, tc := range tests {
		c := mlQuiet(1)
		tc.edit(&c)
		_, err := ae.Fit(tc.d, c)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestQuickMode(t *testing.T) {
	t.Setenv(QuickEnv, "1")
	d := mlDigits(t, 2500)
	ae := mlSmallAE(t, "quick")
	h, err := ae.Fit(d, mlQuiet(20))
	if err != nil {
		t.Fatal(err)
	}
	if h.Images != QuickImages || len(h.Epoch) != QuickEpochs || h.Config.Epochs != QuickEpochs {
		t.Errorf("quick: %d images, %d epochs (config %d); want %d and %d", h.Images, len(h.Epoch), h.Config.Epochs, QuickImages, QuickEpochs)
	}
}

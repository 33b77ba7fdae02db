package aelib

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

func TestClassifierAboveChance(t *testing.T) {
	d := mlDigits(t, 1200)
	train, test := d.Head(1000), &Digits{X: d.X[1000*Pixels:], Labels: d.Labels[1000:]}
	enc, err := MLP([]int{32}, "relu", "relu")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClassifier(mlBackend(t), "toy", enc)
	if err != nil {
		t.Fatal(err)
	}
	if n, want := c.NumParams(), DenseParams(784, 32, 10); n != want {
		t.Errorf("NumParams = %d, want %d", n, want)
	}
	cfg := mlQuiet(3)
	cfg.Batch = 32
	h, err := c.Fit(train, cfg)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := c.Accuracy(test)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("toy classifier: cross-entropy %.3f → %.3f, held-out accuracy %.2f", h.Epoch[0], h.Final(), acc)
	if acc < 0.5 { // chance is 0.1
		t.Errorf("accuracy %.2f, want ≥ 0.5", acc)
	}
	bad := &Digits{X: train.X[:Pixels], Labels: []int{12}}
	cfg.Batch = 1
	if _, err := c.Fit(bad, cfg); err == nil || !strings.Contains(err.Error(), "label 12 of image 0 invalid: must be 0..9") {
		t.Errorf("bad label: %v", err)
	}
}

func varValues(t *testing.T, c *Classifier, prefix string) []float32 {
	t.Helper()
	var all []float32
	for v := range c.Store.IterVariables() {
		if strings.HasPrefix(v.Path(), prefix) {
			all = append(all, tensors.MustCopyFlatData[float32](v.MustValue())...)
		}
	}
	return all
}

func TestClassifierFromAE(t *testing.T) {
	d := mlDigits(t, 400)
	ae := mlTrained(t, "pretrained", d)
	enc, _ := MLP([]int{32, 2}, "tanh", "tanh") // same shapes as mlSmallAE's encoder
	for _, freeze := range []bool{true, false} {
		c, err := NewClassifier(mlBackend(t), "finetune", enc)
		if err != nil {
			t.Fatal(err)
		}
		c.Freeze = freeze
		if err := c.InitEncoder(ae); err != nil {
			t.Fatal(err)
		}
		// The copied encoder gives the AE's codes.
		aeCodes, _, _ := ae.Encode(d.X[:Pixels])
		if _, err := c.Predict(d.X[:Pixels]); err != nil { // initialises the head
			t.Fatal(err)
		}
		copied := varValues(t, c, "/encoder/")
		head0 := varValues(t, c, "/head/")
		if _, err := c.Fit(d.Head(100), mlQuiet(2)); err != nil {
			t.Fatal(err)
		}
		after := varValues(t, c, "/encoder/")
		if got := slices.Equal(copied, after); got != freeze {
			t.Errorf("freeze=%v: encoder unchanged = %v", freeze, got)
		}
		if slices.Equal(head0, varValues(t, c, "/head/")) {
			t.Errorf("freeze=%v: head did not train", freeze)
		}
		if freeze {
			codes, _, _ := ae.Encode(d.X[:Pixels])
			if !slices.Equal(aeCodes, codes) {
				t.Error("training the classifier changed the AE")
			}
		}
	}
	// An encoder of other shapes cannot take the AE's weights.
	other, _ := MLP([]int{16, 2}, "tanh", "tanh")
	c, _ := NewClassifier(mlBackend(t), "mismatch", other)
	if err := c.InitEncoder(ae); err == nil {
		t.Error("InitEncoder with other shapes: no error")
	}
}

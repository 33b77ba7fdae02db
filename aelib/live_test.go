package aelib

import (
	"math"
	"testing"

	"github.com/janpfeifer/gonb/gonbui"
)

func TestLiveLoss(t *testing.T) {
	l := newLiveLoss("train 2-D autoencoder", "per-pixel MSE", 10)
	for e := range 3 {
		for i := range 10 {
			l.step(0.1 / float64(e*10+i+1))
		}
		test := math.NaN()
		if e > 0 {
			test = 0.05 / float64(e+1)
		}
		l.epoch(0.05/float64(e+1), test)
	}
	if len(l.steps) != 30 || len(l.means) != 3 || len(l.tests) != 2 {
		t.Errorf("recorded %d steps, %d means, %d test errors: want 30, 3, 2", len(l.steps), len(l.means), len(l.tests))
	}
	if l.id != "" || !l.last.IsZero() {
		t.Error("drew a live view outside a notebook")
	}
	f, err := l.done()
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "live.png")
	if n := countColours(decode(t, f)); n[0] < 200 || n[1] < 100 {
		t.Errorf("pixels per colour %v: want the epoch means and the test errors", n)
	}

	var none *liveLoss // a training without a chart
	none.step(1)
	none.epoch(1, math.NaN())
	if f, err := none.done(); f != nil || err != nil {
		t.Errorf("nil live loss drew %v, %v", f, err)
	}
	bad := newLiveLoss("t", "y", 0)
	bad.step(1)
	if _, err := bad.done(); err == nil {
		t.Error("0 steps per epoch: no error")
	}
}

// TestLiveLossNotebook runs the notebook path with no kernel to talk to:
// gonbui then fails quietly, and the live view must still be drawn.
func TestLiveLossNotebook(t *testing.T) {
	defer func(was bool) { gonbui.IsNotebook = was }(gonbui.IsNotebook)
	gonbui.IsNotebook = true
	t.Setenv("GONB_PIPE", "")
	l := newLiveLoss("loss", "per-pixel MSE", 5)
	l.step(1)
	id, last := l.id, l.last
	if id == "" || last.IsZero() {
		t.Fatal("first step did not draw the live view")
	}
	l.step(0.5) // within a second: no redraw
	l.epoch(0.7, math.NaN())
	if l.last != last {
		t.Error("redrew within a second")
	}
	f, err := l.done()
	if err != nil || f == nil {
		t.Fatalf("done: %v", err)
	}
	if l.id != "" {
		t.Error("done left the transient output's id")
	}
}

func BenchmarkLiveLossStep(b *testing.B) {
	l := newLiveLoss("loss", "per-pixel MSE", 938)
	x := 0.0
	for b.Loop() {
		l.step(1 / (x + 1))
		x++
	}
}

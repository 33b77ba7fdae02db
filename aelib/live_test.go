package aelib

import (
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/janpfeifer/gonb/gonbui"
)

func TestLiveCurve(t *testing.T) {
	c := NewLiveCurve("reconstruction loss", "train", "test")
	var wg sync.WaitGroup
	for s := range 2 {
		wg.Go(func() {
			for step := range 200 {
				c.Add(s, float64(step), 0.02+0.1*math.Exp(-float64(step)/(40+10*float64(s))))
			}
		})
	}
	wg.Wait()
	c.Add(0, 200, math.NaN()) // dropped
	c.Add(-1, 200, 1)         // dropped
	f := c.Done()
	if f == nil {
		t.Fatal("Done returned no figure")
	}
	keep(t, f, "live.png")
	if f.Width != chartW || f.Height != chartH {
		t.Errorf("live curve is %d×%d, want %d×%d", f.Width, f.Height, chartW, chartH)
	}
	n := countColours(decode(t, f))
	if n[0] < 300 || n[1] < 300 {
		t.Errorf("pixels per colour %v: want both series drawn", n)
	}
	if again := c.Done(); again != f {
		t.Error("second Done returned another figure")
	}
	c.Add(0, 300, 1) // after Done: ignored
	ss := c.Series()
	if len(ss) != 2 || ss[0].Name != "train" || ss[1].Name != "test" || len(ss[0].Y) != 200 || len(ss[1].X) != 200 {
		t.Fatalf("series after Done: %d series, %d and %d points", len(ss), len(ss[0].Y), len(ss[1].Y))
	}
	ss[0].Y[0] = -1
	if c.Series()[0].Y[0] == -1 {
		t.Error("Series does not copy")
	}
}

func TestLiveCurveOptions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logY   bool
		adds   [][3]float64 // series, x, y
		series int
		points []int
	}{
		{"empty", false, nil, 1, []int{0}},
		{"new series", false, [][3]float64{{0, 1, 1}, {2, 1, 2}}, 3, []int{1, 0, 1}},
		{"log drops y<=0", true, [][3]float64{{0, 1, 1}, {0, 2, 0}, {0, 3, 0.5}}, 1, []int{2}},
		{"index too large", false, [][3]float64{{65, 1, 1}}, 1, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewLiveCurve(tc.name, "train")
			c.LogY = tc.logY
			for _, a := range tc.adds {
				c.Add(int(a[0]), a[1], a[2])
			}
			if f := c.Done(); f == nil || len(f.PNG) == 0 {
				t.Fatal("no figure")
			}
			ss := c.Series()
			if len(ss) != tc.series {
				t.Fatalf("%d series, want %d", len(ss), tc.series)
			}
			for i, s := range ss {
				if len(s.Y) != tc.points[i] {
					t.Errorf("series %d (%q) has %d points, want %d", i, s.Name, len(s.Y), tc.points[i])
				}
			}
		})
	}
}

func BenchmarkLiveCurveAdd(b *testing.B) {
	c := NewLiveCurve("loss", "train")
	x := 0.0
	for b.Loop() {
		c.Add(0, x, 1/(x+1))
		x++
	}
}

// TestLiveCurveNotebook runs the notebook path with no kernel to talk to:
// gonbui then fails quietly, and the live view must still be drawn.
func TestLiveCurveNotebook(t *testing.T) {
	defer func(was bool) { gonbui.IsNotebook = was }(gonbui.IsNotebook)
	gonbui.IsNotebook = true
	t.Setenv("GONB_PIPE", "")
	c := NewLiveCurve("loss", "train")
	c.Add(0, 1, 1)
	c.Add(0, 2, 0.5) // within LiveInterval: no redraw
	c.mu.Lock()
	id, last := c.id, c.last
	c.mu.Unlock()
	if id == "" || last.IsZero() {
		t.Fatal("first Add did not draw the live view")
	}
	if f := c.Done(); f == nil {
		t.Fatal("no figure")
	}
	h := c.fig.html()
	if !strings.HasPrefix(h, `<img src="data:image/png;base64,`) || !strings.Contains(h, `width="700"`) {
		t.Errorf("live view html starts %.60q", h)
	}
}

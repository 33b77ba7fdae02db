package aelib

import (
	"encoding/base64"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// LiveInterval is the least time between two redraws of a LiveCurve.
const LiveInterval = time.Second

// LiveCurve is a loss curve that redraws in place while training runs and
// becomes a static figure when training ends. 02_autoencoder and later
// notebooks feed it from the training loop:
//
//	c := aelib.NewLiveCurve("reconstruction loss", "train", "test")
//	... c.Add(0, step, trainLoss) ... c.Add(1, step, testLoss) ...
//	c.Done()
//
// While training, the curve lives in a transient output (updated at most
// once per LiveInterval); Done clears it and displays the final PNG as an
// ordinary image output, which is what a saved notebook keeps. Outside a
// notebook nothing is displayed and Add only records the points.
type LiveCurve struct {
	// XLabel, YLabel and LogY style the chart; set them before the first Add.
	// NewLiveCurve sets "step" and "loss".
	XLabel, YLabel string
	LogY           bool

	mu     sync.Mutex
	title  string
	series []Series
	id     string    // display id of the transient output, "" until shown
	last   time.Time // time of the last redraw
	fig    *Figure   // final figure, once Done
}

// NewLiveCurve returns a live curve titled title with one series per name
// (e.g. "train", "test").
func NewLiveCurve(title string, names ...string) *LiveCurve {
	c := &LiveCurve{XLabel: "step", YLabel: "loss", title: title}
	for _, n := range names {
		c.series = append(c.series, Series{Name: n, X: []float64{}, Y: []float64{}})
	}
	return c
}

// Add appends the point (x, y) to series i and, inside a notebook, redraws
// the curve if LiveInterval has passed since the last redraw. It is safe
// to call from several goroutines. A series index past the names given to
// NewLiveCurve adds series named "series i"; an index outside 0..64, a
// non-finite value (a diverged loss), or y ≤ 0 with LogY is dropped, and
// points added after Done are ignored.
func (c *LiveCurve) Add(i int, x, y float64) {
	if i < 0 || i > 64 || math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fig != nil || (c.LogY && y <= 0) {
		return
	}
	for len(c.series) <= i {
		c.series = append(c.series, Series{Name: fmt.Sprintf("series %d", len(c.series))})
	}
	s := &c.series[i]
	s.X = append(s.X, x)
	s.Y = append(s.Y, y)
	if gonbui.IsNotebook && time.Since(c.last) >= LiveInterval {
		c.redraw()
	}
}

// redraw renders the curve into the transient output; c.mu is held.
func (c *LiveCurve) redraw() {
	f, err := c.render()
	c.last = time.Now()
	if err != nil {
		return
	}
	if c.id == "" {
		c.id = "aelib_live_" + gonbui.UniqueId()
	}
	gonbui.UpdateHTML(c.id, f.html())
}

// render draws the current series; c.mu is held.
func (c *LiveCurve) render() (*Figure, error) {
	return CurvesWith(CurveOptions{Title: c.title, XLabel: c.XLabel, YLabel: c.YLabel, LogY: c.LogY}, c.series...)
}

// Done ends the live view: it draws the final figure, clears the transient
// output and displays the figure as a PNG that persists in the saved
// notebook. It returns the figure (also outside a notebook, for Save);
// later calls return the same figure without displaying it again.
func (c *LiveCurve) Done() *Figure {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fig != nil {
		return c.fig
	}
	f, err := c.render()
	if err != nil {
		// Add admits only finite points, so render cannot fail on data;
		// show an empty chart with the error rather than nothing.
		f, _ = Curves(fmt.Sprintf("%s (%v)", c.title, err), c.XLabel, c.YLabel)
	}
	c.fig = f
	if c.id != "" {
		gonbui.UpdateHTML(c.id, "")
	}
	f.Show()
	return f
}

// Series returns a copy of the points recorded so far, one Series per name.
// Notebooks use it to save loss curves alongside the results.
func (c *LiveCurve) Series() []Series {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Series, len(c.series))
	for i, s := range c.series {
		out[i] = Series{Name: s.Name, X: append([]float64(nil), s.X...), Y: append([]float64(nil), s.Y...)}
	}
	return out
}

// html returns the figure as an inline <img> element.
func (f *Figure) html() string {
	return fmt.Sprintf(`<img src="data:image/png;base64,%s" width="%d" height="%d" alt="live chart">`,
		base64.StdEncoding.EncodeToString(f.PNG), f.Width, f.Height)
}

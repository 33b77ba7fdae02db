package aelib

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
)

// Sample is one group of Histogram: values of one kind, e.g. the
// reconstruction errors of the normal test digits.
type Sample struct {
	Name   string // its legend entry; "" for none
	Values []float64
}

// Mark is a vertical line of Histogram at X, e.g. the threshold of an
// anomaly detector, drawn dark grey and dashed (a second mark dotted, a
// third dash-dotted) and named Label in the legend ("" for none).
type Mark struct {
	X     float64
	Label string
}

// HistogramOptions configures Histogram: ChartOptions' Title, XLabel,
// YLabel ("" for "share of each group"), LogX (log-spaced bins, every value
// and mark > 0) and LegendBelow, and the marks to draw. LogY is not
// supported: empty bins have a share of 0.
type HistogramOptions struct {
	ChartOptions
	Marks []Mark
}

// maxBins is the most bins Histogram draws.
const maxBins = 500

// histAlpha is the opacity of a histogram's fill: overlapping groups show through.
const histAlpha = 0.3

// Histogram draws the groups' values as overlaid histograms on the same bins:
// bins equally wide (equally wide in log scale with o.LogX) from the smallest
// value of all groups to the largest; the largest falls in the last bin. Each
// group is a step outline over a semi-transparent fill in its palette colour.
// A bar's height is the share of its group's values in the bin, so groups of
// different sizes compare: each group's bars add up to 1.
//
//	f, err := aelib.Histogram(aelib.HistogramOptions{
//		ChartOptions: aelib.ChartOptions{Title: "reconstruction error", XLabel: "per-pixel MSE", LogX: true},
//		Marks:        []aelib.Mark{{X: threshold, Label: "threshold"}},
//	}, 40, aelib.Sample{Name: "digit 1 (normal)", Values: ones}, aelib.Sample{Name: "other digits", Values: others})
func Histogram(o HistogramOptions, bins int, groups ...Sample) (fig *Figure, err error) {
	defer figCatch("histogram", &err)
	p, err := histPlot(o, bins, groups)
	if err != nil || !o.LegendBelow {
		return figRender(p, err)
	}
	return figRenderLegendBelow(p)
}

// histPlot builds the plot of Histogram.
func histPlot(o HistogramOptions, bins int, groups []Sample) (*plot.Plot, error) {
	edges, shares, err := histBins(o, bins, groups)
	if err != nil {
		return nil, err
	}
	for i, m := range o.Marks {
		if !finite(m.X) || o.LogX && m.X <= 0 {
			return nil, errorf(ErrInvalid, "histogram mark %d (%q) at %v invalid: must be finite, and > 0 on a log scale", i, m.Label, m.X)
		}
	}
	ylabel := o.YLabel
	if ylabel == "" {
		ylabel = "share of each group"
	}
	p := figPlot(o.Title, o.XLabel, ylabel)
	top, entries := 0.0, len(o.Marks)
	for k, g := range groups {
		col := palette[k%len(palette)]
		fill := color.NRGBA{col.R, col.G, col.B, uint8(math.Round(histAlpha * 255))}
		line := vgdraw.LineStyle{Color: col, Width: figPx(2)}
		for _, step := range histSteps(edges, shares[k]) {
			p.Add(histFill{step, fill}, &plotter.Line{XYs: step, LineStyle: line})
		}
		top = max(top, slices.Max(shares[k]))
		if g.Name != "" {
			p.Legend.Add(g.Name, histThumb{fill: fill, line: line})
			entries++
		}
	}
	if !o.LegendBelow {
		top /= max(0.5, 0.95-0.07*float64(entries)) // room for the legend at the top right
	}
	for i, m := range o.Marks {
		x := logIf(o.LogX, m.X)
		l := &plotter.Line{XYs: plotter.XYs{{X: x, Y: 0}, {X: x, Y: top}}, LineStyle: markStyle(i)}
		p.Add(l)
		if m.Label != "" {
			p.Legend.Add(m.Label, l)
		}
	}
	chartAxes(p, o.LogX, false, false)
	p.Y.Min, p.Y.Max = 0, top
	return p, nil
}

// histBins checks Histogram's input and returns the bins' edges (bins+1 of
// them, their log10 with o.LogX: the x of the plot) and each group's share of
// values in each bin.
func histBins(o HistogramOptions, bins int, groups []Sample) (edges []float64, shares [][]float64, err error) {
	switch {
	case bins < 1 || bins > maxBins:
		return nil, nil, errorf(ErrInvalid, "histogram bin count %d invalid: must be 1..%d", bins, maxBins)
	case len(groups) == 0:
		return nil, nil, errorf(ErrInvalid, "histogram group count 0 invalid: need at least one group")
	case o.LogY:
		return nil, nil, errorf(ErrInvalid, "histogram option LogY invalid: shares need a linear y axis (use LogX for values that span decades)")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, g := range groups {
		if len(g.Values) == 0 {
			return nil, nil, errorf(ErrInvalid, "histogram group %d (%q) value count 0 invalid: need at least one value", k, g.Name)
		}
		for i, v := range g.Values {
			if !finite(v) || o.LogX && v <= 0 {
				return nil, nil, errorf(ErrInvalid, "histogram value %d (%v) of group %d (%q) invalid: must be finite, and > 0 on a log scale", i, v, k, g.Name)
			}
			x := logIf(o.LogX, v)
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if lo == hi { // one value: a range around it, v/2..2v on a log scale
		d := 0.5
		if o.LogX {
			d = math.Log10(2)
		}
		lo, hi = lo-d, hi+d
	}
	edges = make([]float64, bins+1)
	for i := range edges {
		edges[i] = lo + (hi-lo)*float64(i)/float64(bins)
	}
	edges[bins] = hi
	for _, g := range groups {
		s := make([]float64, bins)
		for _, v := range g.Values {
			b := int(math.Floor((logIf(o.LogX, v) - lo) / (hi - lo) * float64(bins)))
			s[min(max(b, 0), bins-1)]++
		}
		for b := range s {
			s[b] /= float64(len(g.Values))
		}
		shares = append(shares, s)
	}
	return edges, shares, nil
}

// histSteps returns the outline of a histogram's bars, one line for each run
// of bins that are not empty: up from y = 0 at the run's left edge, along the
// tops of its bars, down to y = 0 at its right edge. Empty bins get no line
// along the x axis, where it would hide the other groups' outlines.
func histSteps(edges, shares []float64) []plotter.XYs {
	var steps []plotter.XYs
	var run plotter.XYs
	for b, s := range shares {
		if s == 0 {
			continue
		}
		if b == 0 || shares[b-1] == 0 {
			run = plotter.XYs{{X: edges[b], Y: 0}}
		}
		run = append(run, plotter.XY{X: edges[b], Y: s}, plotter.XY{X: edges[b+1], Y: s})
		if b == len(shares)-1 || shares[b+1] == 0 {
			steps = append(steps, append(run, plotter.XY{X: edges[b+1], Y: 0}))
		}
	}
	return steps
}

// histFill fills the area under a histogram's step outline (whose ends
// are on y = 0), with no line around it.
type histFill struct {
	step plotter.XYs
	fill color.Color
}

// Plot implements plot.Plotter.
func (h histFill) Plot(c vgdraw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	var path vg.Path
	for i, xy := range h.step {
		pt := vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
		if i == 0 {
			path.Move(pt)
		} else {
			path.Line(pt)
		}
	}
	path.Close()
	c.SetColor(h.fill)
	c.Fill(path)
}

// DataRange implements plot.DataRanger.
func (h histFill) DataRange() (xmin, xmax, ymin, ymax float64) { return plotter.XYRange(h.step) }

// histThumb is a histogram group's legend sample: a filled box with its outline.
type histThumb struct {
	fill color.Color
	line vgdraw.LineStyle
}

// Thumbnail implements plot.Thumbnailer.
func (h histThumb) Thumbnail(c *vgdraw.Canvas) {
	in := figPx(1)
	box := []vg.Point{
		{X: c.Min.X + in, Y: c.Min.Y + in}, {X: c.Max.X - in, Y: c.Min.Y + in},
		{X: c.Max.X - in, Y: c.Max.Y - in}, {X: c.Min.X + in, Y: c.Max.Y - in},
	}
	c.FillPolygon(h.fill, box)
	c.StrokeLines(h.line, append(box, box[0]))
}

// markColour is the colour of Histogram's marks.
var markColour = color.Gray{0x30}

// markStyle is the line of Histogram's mark i: dashed, dotted, dash-dotted, in turn.
func markStyle(i int) vgdraw.LineStyle {
	dashes := [][]float64{{7, 4}, {2, 3}, {8, 3, 2, 3}}[i%3]
	s := vgdraw.LineStyle{Color: markColour, Width: figPx(2)}
	for _, d := range dashes {
		s.Dashes = append(s.Dashes, figPx(d))
	}
	return s
}

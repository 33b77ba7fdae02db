package aelib

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
)

// Series is one line of Curves: Y against X, where X nil means 1, 2, …, len(Y) (epochs count from 1).
type Series struct {
	Name string // its legend entry; "" for none
	X, Y []float64
	Err  []float64 // nil, or an error bar ±Err[i] around each Y[i] (e.g. the standard deviation over seeds)
}

// ChartOptions configures Curves and Bars: the title and axis labels, in
// words with units. Bars has no x axis to label and no log scale: it uses
// Title and YLabel only.
type ChartOptions struct {
	Title, XLabel, YLabel string
	// LogX and LogY put an axis on a log scale, for values that span decades (batch sizes and speeds in
	// 11_performance): every x, or every y, must then be > 0, and the axis label gets " (log scale)".
	LogX, LogY  bool
	LegendBelow bool // the legend under the chart, where it hides no line, instead of at its top right
}

// Curves draws each series as a line in its own colour, with a dot on each point when it has few.
func Curves(o ChartOptions, series ...Series) (fig *Figure, err error) {
	defer figCatch("curves", &err)
	p, err := curvesPlot(o, series)
	if err != nil || !o.LegendBelow {
		return figRender(p, err)
	}
	return figRenderLegendBelow(p)
}

// figRenderLegendBelow is figRender with p's legend in a strip under the
// chart, at its right, instead of over the lines.
func figRenderLegendBelow(p *plot.Plot) (*Figure, error) {
	c := figCanvas(chartW, chartH)
	m := figPx(12)
	dc := vgdraw.Crop(vgdraw.New(c), m, -m-figPx(6), m, -m)
	legend := p.Legend
	p.Legend = plot.NewLegend() // empty: the chart draws none
	strip := legend.Rectangle(dc).Size().Y + figPx(10)
	p.Draw(vgdraw.Crop(dc, 0, 0, strip, 0))
	legend.Top, legend.YOffs = false, 0
	legend.Draw(vgdraw.Crop(dc, 0, 0, 0, strip-dc.Size().Y))
	return figEncode(c)
}

// curvesPlot builds the plot of Curves.
func curvesPlot(o ChartOptions, series []Series) (*plot.Plot, error) {
	p := figPlot(o.Title, o.XLabel, o.YLabel)
	whole := true // every x is a whole number: epochs, code sizes
	for k, s := range series {
		if s.X != nil && len(s.X) != len(s.Y) {
			return nil, errorf(ErrInvalid, "curves series %d (%q) x length %d invalid: must be %d (one per y) or nil", k, s.Name, len(s.X), len(s.Y))
		}
		if s.Err != nil && (len(s.Err) != len(s.Y) || o.LogY) {
			return nil, errorf(ErrInvalid, "curves series %d (%q) error bars invalid: need one per y (%d, got %d) and a linear y axis", k, s.Name, len(s.Y), len(s.Err))
		}
		xys := make(plotter.XYs, len(s.Y))
		for i, y := range s.Y {
			x := float64(i + 1)
			if s.X != nil {
				x = s.X[i]
			}
			if !finite(x) || !finite(y) || o.LogY && y <= 0 {
				return nil, errorf(ErrInvalid, "curves point %d (%v, %v) of series %d (%q) invalid: must be finite, with y > 0 on a log scale", i, x, y, k, s.Name)
			}
			if o.LogX && x <= 0 {
				return nil, errorf(ErrInvalid, "curves point %d (%v, %v) of series %d (%q) invalid: x must be > 0 on a log scale", i, x, y, k, s.Name)
			}
			if s.Err != nil && (!finite(s.Err[i]) || s.Err[i] < 0) {
				return nil, errorf(ErrInvalid, "curves error bar %d (%v) of series %d (%q) invalid: must be a finite number ≥ 0", i, s.Err[i], k, s.Name)
			}
			whole = whole && x == math.Trunc(x)
			xys[i] = plotter.XY{X: logIf(o.LogX, x), Y: logIf(o.LogY, y)}
		}
		col := palette[k%len(palette)]
		addLine(p, s.Name, xys, col, 2, true)
		if s.Err != nil {
			errs := make(plotter.YErrors, len(s.Err))
			for i, e := range s.Err {
				errs[i] = struct{ Low, High float64 }{e, e}
			}
			bars, err := plotter.NewYErrorBars(struct {
				plotter.XYer
				plotter.YErrorer
			}{xys, errs})
			if err != nil {
				return nil, err
			}
			bars.LineStyle = vgdraw.LineStyle{Color: col, Width: figPx(1.5)}
			bars.CapWidth = figPx(8)
			p.Add(bars)
		}
	}
	chartAxes(p, o.LogX, o.LogY, whole)
	return p, nil
}

// logIf is log10(v) when log is set (a point on a log axis, see chartAxes), else v.
func logIf(log bool, v float64) float64 {
	if log {
		return math.Log10(v)
	}
	return v
}

// lossChart draws a training's loss against epochs: every step's loss as a thin, light line (step i, counted
// from 0, at x = (i+1)/stepsPerEpoch), the mean of each epoch at x = 1..E ("training, mean of the epoch"), and,
// when test is not empty, the test error after each epoch at x = 1..len(test) ("test digits"). Log-scale y
// labelled ylabel (e.g. "per-pixel MSE"), x labelled "epoch", the given title.
func lossChart(title, ylabel string, steps []float64, stepsPerEpoch float64, epochMeans, test []float64) (fig *Figure, err error) {
	defer figCatch("loss chart", &err)
	return figRender(lossPlot(title, ylabel, steps, stepsPerEpoch, epochMeans, test))
}

// lossPlot builds the plot of lossChart. Values a log axis cannot show
// (≤ 0, NaN, ±Inf) are left out.
func lossPlot(title, ylabel string, steps []float64, stepsPerEpoch float64, epochMeans, test []float64) (*plot.Plot, error) {
	if !(stepsPerEpoch > 0) || math.IsInf(stepsPerEpoch, 1) {
		return nil, errorf(ErrInvalid, "loss chart steps per epoch %v invalid: must be a positive number", stepsPerEpoch)
	}
	line := func(ys []float64, x func(i int) float64) plotter.XYs {
		var xys plotter.XYs
		for i, y := range ys {
			if y > 0 && !math.IsInf(y, 1) {
				xys = append(xys, plotter.XY{X: x(i), Y: math.Log10(y)}) // on the log axis
			}
		}
		return xys
	}
	epochX := func(i int) float64 { return float64(i + 1) }
	p := figPlot(title, "epoch", ylabel)
	addLine(p, "training, each step", line(steps, func(i int) float64 { return float64(i+1) / stepsPerEpoch }), stepColour, 1, false)
	addLine(p, "training, mean of the epoch", line(epochMeans, epochX), palette[0], 2, true)
	addLine(p, "test digits", line(test, epochX), palette[1], 2, true)
	chartAxes(p, false, true, true)
	p.X.Min = 0
	p.X.Max = max(1, float64(len(epochMeans)), float64(len(test)), math.Ceil(float64(len(steps))/stepsPerEpoch-1e-9))
	return p, nil
}

// stepColour is the light blue of the loss of each step (tab20's partner of palette[0]).
var stepColour = color.RGBA{0xae, 0xc7, 0xe8, 0xff}

// addLine adds xys to p as a line of colour col, width pixels wide, with a
// dot on each point when dots is set and there are at most 25, named in the
// legend unless name is "".
func addLine(p *plot.Plot, name string, xys plotter.XYs, col color.Color, width float64, dots bool) {
	if len(xys) == 0 {
		return
	}
	l := &plotter.Line{XYs: xys, LineStyle: vgdraw.LineStyle{Color: col, Width: figPx(width)}}
	p.Add(l)
	thumbs := []plot.Thumbnailer{l}
	if dots && len(xys) <= 25 {
		s := &plotter.Scatter{XYs: xys, GlyphStyle: vgdraw.GlyphStyle{Color: col, Radius: figPx(3.5), Shape: vgdraw.CircleGlyph{}}}
		p.Add(s)
		thumbs = append(thumbs, s)
	}
	if name != "" {
		p.Legend.Add(name, thumbs...)
	}
}

// chartAxes finishes the axes of a line chart once its lines are in:
// readable ticks (whole numbers on a linear x when wholeX), log-scale axes
// when logX or logY, and a valid range when there is no data.
//
// On a log axis the lines hold the log10 of their values (see logIf) and
// the axis itself is linear, labelled by log10Ticks: gonum/plot's own
// LogScale places an axis label's glyph box at the arithmetic middle of
// the range, far from where it draws it, and so shrinks the chart.
func chartAxes(p *plot.Plot, logX, logY, wholeX bool) {
	p.X.Tick.Marker = linTicks{max: 10, whole: wholeX}
	p.Y.Tick.Marker = linTicks{max: 6}
	noData := math.IsInf(p.X.Min, 1)
	if noData {
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	}
	if logX {
		logAxis(&p.X, noData)
	}
	if logY {
		logAxis(&p.Y, noData)
	}
}

// logAxis makes a, whose data are the log10 of the values shown, read as a
// log scale: log10Ticks, and " (log scale)" after its label. With no data
// it shows 0.01..1, with a single value v, v/2..2v.
func logAxis(a *plot.Axis, noData bool) {
	a.Tick.Marker = log10Ticks{}
	a.Label.Text += " (log scale)"
	switch {
	case noData:
		a.Min, a.Max = -2, 0
	case a.Min == a.Max:
		a.Min, a.Max = a.Min-math.Log10(2), a.Max+math.Log10(2)
	}
}

// log10Ticks labels an axis whose data are the log10 of the values shown:
// logTicks's ticks for the values, placed at their log10.
type log10Ticks struct{}

// Ticks implements plot.Ticker.
func (log10Ticks) Ticks(lo, hi float64) []plot.Tick {
	ts := logTicks{}.Ticks(math.Pow(10, lo), math.Pow(10, hi))
	for i := range ts {
		ts[i].Value = math.Log10(ts[i].Value)
	}
	return ts
}

// Bar is one bar of Bars: a value, or the mean of several runs and their standard deviation.
type Bar struct {
	Label     string
	Mean, Std float64 // Std is 0 for a single run
}

// Bars draws one bar per value with its number above it; a bar with Std > 0 gets an error bar and "mean ± std".
func Bars(o ChartOptions, bars ...Bar) (fig *Figure, err error) {
	defer figCatch("bars", &err)
	if len(bars) == 0 {
		return nil, errorf(ErrInvalid, "bar count 0 invalid: need at least one bar")
	}
	if o.XLabel != "" || o.LogX || o.LogY || o.LegendBelow {
		return nil, errorf(ErrInvalid, "bars options %+v invalid: bars take a Title and a YLabel only", o)
	}
	p := figPlotGrid(o.Title, "", o.YLabel, false)
	errs := &plotter.YErrorBars{LineStyle: vgdraw.LineStyle{Color: color.Black, Width: figPx(1.5)}, CapWidth: figPx(14)}
	labels := &plotter.Labels{Offset: vg.Point{Y: figPx(6)}}
	names := make([]string, len(bars))
	w := figPx(min(120, 420/float64(len(bars))))
	for i, b := range bars {
		if !finite(b.Mean) || !finite(b.Std) || b.Std < 0 {
			return nil, errorf(ErrInvalid, "bar %d (%q) %v ± %v invalid: need a finite mean and std ≥ 0", i, b.Label, b.Mean, b.Std)
		}
		x := float64(i)
		names[i] = b.Label
		p.Add(&plotter.BarChart{Values: plotter.Values{b.Mean}, Width: w, XMin: x, Color: palette[i%len(palette)]})
		if b.Std > 0 {
			errs.XYs = append(errs.XYs, plotter.XY{X: x, Y: b.Mean})
			errs.YErrors = append(errs.YErrors, struct{ Low, High float64 }{b.Std, b.Std})
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: max(0, b.Mean+b.Std)})
		labels.Labels = append(labels.Labels, barLabel(b))
		p.Y.Min, p.Y.Max = min(p.Y.Min, 0, b.Mean-b.Std), max(p.Y.Max, 0, b.Mean+b.Std)
	}
	if len(errs.XYs) > 0 {
		p.Add(errs)
	}
	labels.TextStyle = slices.Repeat([]text.Style{figText(figSans, 10, vgdraw.XCenter, vgdraw.YBottom)}, len(bars))
	p.Add(labels)
	p.NominalX(names...)
	p.X.Tick.Label = figText(figSans, 11, vgdraw.XCenter, vgdraw.YTop)
	p.X.Min, p.X.Max = -0.5, float64(len(bars))-0.5
	p.Y.Tick.Marker = linTicks{max: 6}
	if p.Y.Max == p.Y.Min {
		p.Y.Max++
	}
	step := niceStep(p.Y.Max-p.Y.Min, 6) // the y axis ends on ticks
	p.Y.Min, p.Y.Max = math.Floor(p.Y.Min/step)*step, math.Ceil(p.Y.Max/step)*step
	return figRender(p, nil)
}

// barLabel is the number written above a bar: "mean ± std", or the value
// alone for a single run (Std 0).
func barLabel(b Bar) string {
	if b.Std == 0 {
		return fmt.Sprintf("%.3g", b.Mean)
	}
	return fmt.Sprintf("%.3g ± %.2g", b.Mean, b.Std)
}

// linTicks labels a linear axis every 1, 2 or 5 times a power of ten, in
// at most max steps; whole keeps the step at 1 or more (epochs, sizes).
type linTicks struct {
	max   int
	whole bool
}

// Ticks implements plot.Ticker.
func (t linTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return nil
	}
	step := niceStep(hi-lo, t.max)
	if t.whole {
		step = max(step, 1)
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	var ts []plot.Tick
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
		v := k * step
		if v == 0 {
			v = 0 // not -0
		}
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return ts
}

// niceStep is the step of 1, 2 or 5 times a power of ten that cuts span
// into at most n steps.
func niceStep(span float64, n int) float64 {
	p := math.Pow(10, math.Floor(math.Log10(span/float64(n))))
	for _, m := range []float64{1, 2, 5} {
		if span/(m*p) <= float64(n) {
			return m * p
		}
	}
	return 10 * p
}

// logTicks labels a log axis in plain decimals (0.02, not 2e-02): at 1,
// 2, 3 and 5 × 10ⁿ within two decades, or at every 1..9 × 10ⁿ where that
// gives fewer than three labels; 1, 2, 5 × 10ⁿ within four decades; powers
// of ten beyond. Other multiples get unlabelled ticks. An axis too short
// for three labels gets linTicks.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0 && hi > lo) {
		return nil
	}
	var sets [][]int
	switch span := math.Log10(hi / lo); {
	case span < 2:
		sets = [][]int{{1, 2, 3, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}
	case span < 4:
		sets = [][]int{{1, 2, 5}}
	default:
		sets = [][]int{{1}}
	}
	for _, labelled := range sets {
		var ts []plot.Tick
		n := 0
		for e := int(math.Floor(math.Log10(lo))); e <= int(math.Ceil(math.Log10(hi))); e++ {
			for m := 1; m <= 9; m++ {
				v := float64(m) * math.Pow10(e)
				if e < 0 {
					v = float64(m) / math.Pow10(-e) // exact decimals: 3/100 is 0.03, 3*0.01 is not
				}
				if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
					continue
				}
				t := plot.Tick{Value: v}
				if slices.Contains(labelled, m) {
					t.Label = strconv.FormatFloat(v, 'f', -1, 64)
					n++
				}
				ts = append(ts, t)
			}
		}
		if n >= 3 {
			return ts
		}
	}
	return linTicks{max: 5}.Ticks(lo, hi)
}

// rowTicks marks image rows on DigitLine's pixel-index axis: a labelled
// tick every 7 rows (196 values) and a minor tick at each row start.
type rowTicks struct{}

// Ticks implements plot.Ticker.
func (rowTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for i := 0; i <= Pixels; i += 28 {
		if float64(i) < lo || float64(i) > hi+1 {
			continue
		}
		t := plot.Tick{Value: float64(i)}
		if i%196 == 0 {
			t.Label = strconv.Itoa(i)
		}
		ts = append(ts, t)
	}
	return ts
}

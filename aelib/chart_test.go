package aelib

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

// decay returns n losses falling from about 0.1 + floor to floor.
func decay(n int, floor, scale float64) []float64 {
	ys := make([]float64, n)
	for i := range ys {
		ys[i] = floor + 0.1*math.Exp(-float64(i)/scale)
	}
	return ys
}

func TestCurves(t *testing.T) {
	train := Series{Name: "train", Y: decay(50, 0.02, 8)}
	test := Series{Name: "test", Y: decay(50, 0.025, 9)}
	f, err := Curves(ChartOptions{Title: "reconstruction loss", XLabel: "epoch", YLabel: "per-pixel MSE"}, train, test)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "curves.png")
	if f.Width != chartW || f.Height != chartH {
		t.Fatalf("curves are %d×%d, want %d×%d", f.Width, f.Height, chartW, chartH)
	}
	if n := countColours(decode(t, f)); n[0] < 300 || n[1] < 300 || n[2] != 0 {
		t.Errorf("pixels per colour %v: want both series drawn, no third", n)
	}

	o := ChartOptions{Title: "test error against code size", XLabel: "code size", YLabel: "per-pixel test MSE", LogY: true}
	mse := Series{Name: "test MSE", X: []float64{2, 4, 8, 16, 32, 64}, Y: []float64{0.052, 0.041, 0.029, 0.017, 0.011, 0.008}}
	f, err = Curves(o, mse)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "curves_log.png")
	if n := countColours(decode(t, f)); n[0] < 100 {
		t.Errorf("log chart drew %d pixels of its colour", n[0])
	}
	p, err := curvesPlot(o, []Series{mse})
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Label.Text != "per-pixel test MSE (log scale)" {
		t.Errorf("log y axis labelled %q", p.Y.Label.Text)
	}
	checkFigures(t, []figCase{
		{"y only", func() (*Figure, error) { return Curves(ChartOptions{}, Series{Y: []float64{3, 2, 1}}) }, nil},
		{"nothing yet", func() (*Figure, error) { return Curves(ChartOptions{Title: "nothing yet"}) }, nil},
		{"log, nothing yet", func() (*Figure, error) { return Curves(ChartOptions{LogY: true}) }, nil},
		{"log, one value", func() (*Figure, error) { return Curves(ChartOptions{LogY: true}, Series{Y: []float64{0.5, 0.5}}) }, nil},
		{"lengths", func() (*Figure, error) {
			return Curves(ChartOptions{}, Series{Name: "train", X: []float64{1, 2}, Y: []float64{1}})
		}, []string{`series 0 ("train") x length 2 invalid`, "must be 1"}},
		{"NaN", func() (*Figure, error) { return Curves(ChartOptions{}, Series{Y: []float64{1, math.NaN()}}) }, []string{"point 1 (2, NaN)", "invalid", "finite"}},
		{"log zero", func() (*Figure, error) {
			return Curves(ChartOptions{LogY: true}, Series{Y: []float64{1, 0}})
		}, []string{"point 1 (2, 0)", "y > 0 on a log scale"}},
		{"error bars", func() (*Figure, error) {
			return Curves(ChartOptions{}, Series{Name: "gain", X: []float64{1, 10}, Y: []float64{1, 2}, Err: []float64{0.5, 3}})
		}, nil},
		{"error bars, one missing", func() (*Figure, error) {
			return Curves(ChartOptions{}, Series{Name: "gain", Y: []float64{1, 2}, Err: []float64{0.5}})
		}, []string{`series 0 ("gain") error bars invalid`, "need one per y (2, got 1)"}},
		{"error bars on a log axis", func() (*Figure, error) {
			return Curves(ChartOptions{LogY: true}, Series{Y: []float64{1, 2}, Err: []float64{0.5, 1}})
		}, []string{"error bars invalid", "a linear y axis"}},
		{"negative error bar", func() (*Figure, error) {
			return Curves(ChartOptions{}, Series{Y: []float64{1, 2}, Err: []float64{0.5, -1}})
		}, []string{"error bar 1 (-1) of series 0", "≥ 0"}},
	})
	// The error bars are drawn: the y range reaches the top of the longest one.
	p, err = curvesPlot(ChartOptions{}, []Series{{X: []float64{1, 10}, Y: []float64{1, 2}, Err: []float64{0.5, 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Min > -1 || p.Y.Max < 5 {
		t.Errorf("y axis %v..%v with error bars reaching -1..5", p.Y.Min, p.Y.Max)
	}
}

func TestCurvesLogX(t *testing.T) {
	batches := []float64{8, 32, 128, 512}
	for _, tc := range []struct {
		name           string
		o              ChartOptions
		series         []Series
		xlabel, ylabel string
		xmin, xmax     float64
		ticks          string // labelled ticks of the x axis
		err            []string
	}{
		{"batch sizes", ChartOptions{XLabel: "batch size", YLabel: "images/s", LogX: true},
			[]Series{{Name: "xla", X: batches, Y: []float64{9000, 25000, 48000, 61000}}},
			"batch size (log scale)", "images/s", 8, 512, "10 20 30 50 100 200 300 500", nil},
		{"both axes", ChartOptions{XLabel: "batch size", YLabel: "images/s", LogX: true, LogY: true},
			[]Series{{Name: "xla", X: batches, Y: []float64{9000, 25000, 48000, 61000}},
				{Name: "go", X: batches[:2], Y: []float64{1900, 2600}}},
			"batch size (log scale)", "images/s (log scale)", 8, 512, "10 20 30 50 100 200 300 500", nil},
		{"four decades", ChartOptions{LogX: true}, []Series{{X: []float64{1, 10, 100, 1000, 10000}, Y: []float64{1, 2, 3, 4, 5}}},
			" (log scale)", "", 1, 10000, "1 10 100 1000 10000", nil},
		{"x from 1 by default", ChartOptions{LogX: true}, []Series{{Y: []float64{3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}},
			" (log scale)", "", 1, 12, "1 2 3 5 10", nil},
		{"one x", ChartOptions{XLabel: "batch size", LogX: true}, []Series{{X: []float64{64, 64}, Y: []float64{1, 2}}},
			"batch size (log scale)", "", 32, 128, "40 50 60 70 80 90 100", nil},
		{"nothing yet", ChartOptions{LogX: true}, nil, " (log scale)", "", 0.01, 1, "0.01 0.02 0.05 0.1 0.2 0.5 1", nil},
		{"x zero", ChartOptions{LogX: true}, []Series{{Name: "go", X: []float64{0, 8}, Y: []float64{1, 2}}},
			"", "", 0, 0, "", []string{`point 0 (0, 1) of series 0 ("go") invalid`, "x must be > 0 on a log scale"}},
		{"x negative", ChartOptions{LogX: true, LogY: true}, []Series{{X: []float64{8, -8}, Y: []float64{1, 2}}},
			"", "", 0, 0, "", []string{"point 1 (-8, 2)", "x must be > 0"}},
		{"linear x may hold 0", ChartOptions{}, []Series{{X: []float64{0, 8}, Y: []float64{1, 2}}},
			"", "", 0, 8, "0 1 2 3 4 5 6 7 8", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := curvesPlot(tc.o, tc.series)
			if tc.err != nil {
				if err == nil {
					t.Fatalf("no error, want one with %q", tc.err)
				}
				for _, w := range tc.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if _, err := Curves(tc.o, tc.series...); err == nil {
					t.Errorf("Curves drew what curvesPlot refused")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.X.Label.Text != tc.xlabel || p.Y.Label.Text != tc.ylabel {
				t.Errorf("axes labelled %q and %q, want %q and %q", p.X.Label.Text, p.Y.Label.Text, tc.xlabel, tc.ylabel)
			}
			if _, isLog := p.X.Tick.Marker.(log10Ticks); isLog != tc.o.LogX {
				t.Errorf("x ticks %T, log wanted: %v", p.X.Tick.Marker, tc.o.LogX)
			}
			if _, isLog := p.Y.Tick.Marker.(log10Ticks); isLog != tc.o.LogY {
				t.Errorf("y ticks %T, log wanted: %v", p.Y.Tick.Marker, tc.o.LogY)
			}
			if lo, hi := axisRange(&p.X, tc.o.LogX); !near(lo, tc.xmin) || !near(hi, tc.xmax) {
				t.Errorf("x axis %v..%v, want %v..%v", lo, hi, tc.xmin, tc.xmax)
			}
			if got := strings.Join(labels(p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max)), " "); got != tc.ticks {
				t.Errorf("x ticks %q, want %q", got, tc.ticks)
			}
			f, err := Curves(tc.o, tc.series...)
			if err != nil {
				t.Fatal(err)
			}
			keep(t, f, "curves_logx_"+strings.ReplaceAll(tc.name, " ", "_")+".png")
		})
	}

	// Long axis labels do not shrink a log chart: the line from the smallest to the largest values
	// reaches the right end of the chart and the top, below the title.
	long := ChartOptions{Title: "Training speed against the batch size", XLabel: "batch size (images per step)",
		YLabel: "training speed (images/s)", LogX: true, LogY: true}
	f, err := Curves(long, Series{X: []float64{8, 2048}, Y: []float64{1000, 100000}})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "curves_logx_long_labels.png")
	if r := bounds(decode(t, f), palette[0]); r.Max.X < chartW-45 || r.Min.Y > 70 || r.Dy() < chartH*2/3 {
		t.Errorf("line drawn over %v: want it from the bottom left to the top right of the %d×%d chart", r, chartW, chartH)
	}

	// On a log x axis, batch sizes 8, 32, 128, 512 (each 4× the last) lie evenly spaced: the line's
	// dots sit at equal distances, and the line spans most of the plot's width.
	flat := Series{X: batches, Y: []float64{5, 5, 5, 5}} // no legend: its sample would be a fifth dot
	f, err = Curves(ChartOptions{XLabel: "batch size", YLabel: "images/s", LogX: true, LogY: true}, flat)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, f)
	r := bounds(img, palette[0])
	if r.Dx() < chartW*2/3 {
		t.Fatalf("line drawn over %v: want most of the chart's width", r)
	}
	y := (r.Min.Y+r.Max.Y)/2 - 2 // through the dots, above the 2-pixel line
	var xs []int                 // the columns where a dot's colour starts
	for x := r.Min.X; x < r.Max.X; x++ {
		if rgba(img, x, y) == palette[0] && (x == r.Min.X || rgba(img, x-1, y) != palette[0]) {
			xs = append(xs, x)
		}
	}
	if len(xs) != 4 {
		t.Fatalf("found %d dots at x %v, want 4", len(xs), xs)
	}
	for i := 2; i < len(xs); i++ {
		if d, want := xs[i]-xs[i-1], xs[1]-xs[0]; d < want-2 || d > want+2 {
			t.Errorf("dots at x %v: not evenly spaced on a log axis", xs)
		}
	}
}

func TestCurvesLegendBelow(t *testing.T) {
	// Rising lines that fill the top right corner, where the legend goes by default.
	batches := []float64{8, 32, 128, 512, 2048}
	series := []Series{
		{Name: "GoMLX + XLA, measured now", X: batches, Y: []float64{5400, 23000, 54000, 83000, 100000}},
		{Name: "GoMLX + Go backend, measured now", X: batches[:4], Y: []float64{1100, 2100, 2800, 3600}},
		{Name: "PyTorch, by make bench on 2026-11-26", X: []float64{64, 256}, Y: []float64{40000, 65000}},
		{Name: "JAX, by make bench on 2026-11-26", X: []float64{64, 256}, Y: []float64{61000, 91000}},
	}
	o := ChartOptions{Title: "Training speed against the batch size", XLabel: "batch size (images per step)",
		YLabel: "training speed (images/s)", LogX: true, LogY: true}
	for _, below := range []bool{false, true} {
		o.LegendBelow = below
		f, err := Curves(o, series...)
		if err != nil {
			t.Fatal(err)
		}
		keep(t, f, fmt.Sprintf("curves_legend_below_%v.png", below))
		img := decode(t, f)
		if f.Width != chartW || f.Height != chartH {
			t.Fatalf("legend below %v: %d×%d, want %d×%d", below, f.Width, f.Height, chartW, chartH)
		}
		// The legend's samples, a line and a dot in each series' colour at the chart's right edge: under
		// the chart (its last fifth, below the x axis) or in its top right corner.
		sub := img.(interface {
			SubImage(image.Rectangle) image.Image
		})
		for k := range series {
			under := !bounds(sub.SubImage(image.Rect(chartW-40, chartH*4/5, chartW, chartH)), palette[k]).Empty()
			over := !bounds(sub.SubImage(image.Rect(chartW-40, 0, chartW, chartH/4)), palette[k]).Empty()
			if under != below || k > 0 && over == below { // series 0's line ends in the top right corner
				t.Errorf("legend below %v: sample of series %d under the chart %v, in its top right corner %v", below, k, under, over)
			}
		}
		if r := bounds(img, palette[0]); r.Min.Y > 70 {
			t.Errorf("legend below %v: first line drawn over %v: want it to reach the top", below, r)
		}
	}
}

// axisRange returns the range of values an axis shows: on a log axis its
// data are their log10.
func axisRange(a *plot.Axis, log bool) (lo, hi float64) {
	if log {
		return math.Pow(10, a.Min), math.Pow(10, a.Max)
	}
	return a.Min, a.Max
}

// near reports whether a and b agree to 1e-9 of their size.
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(math.Abs(a), math.Abs(b)) }

// labels returns the labelled ticks' labels.
func labels(ts []plot.Tick) []string {
	var out []string
	for _, t := range ts {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{0.015, 0.25, "0.02 0.03 0.05 0.1 0.2"},
		{0.0085, 0.052, "0.01 0.02 0.03 0.05"},
		{0.031, 0.12, "0.04 0.05 0.06 0.07 0.08 0.09 0.1"}, // 1, 2, 3, 5 would give two
		{0.025, 0.045, "0.025 0.030 0.035 0.040 0.045"},    // 1..9 would give two: linear
		{0.04, 0.12, "0.04 0.05 0.06 0.07 0.08 0.09 0.1"},
		{0.001, 0.5, "0.001 0.002 0.005 0.01 0.02 0.05 0.1 0.2 0.5"},
		{2, 300, "2 5 10 20 50 100 200"},
		{1e-4, 1, "0.0001 0.001 0.01 0.1 1"},
		{0.021, 0.029, "0.022 0.024 0.026 0.028"}, // too short for two: linear
		{0.1, 0.1, ""},
	} {
		ts := logTicks{}.Ticks(tc.lo, tc.hi)
		if got := strings.Join(labels(ts), " "); got != tc.want {
			t.Errorf("log ticks on [%v, %v]: %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
		for _, tk := range ts {
			if tk.Value < tc.lo*(1-1e-9) || tk.Value > tc.hi*(1+1e-9) {
				t.Errorf("log ticks on [%v, %v]: tick at %v outside", tc.lo, tc.hi, tk.Value)
			}
		}
	}
}

func TestLinTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		t      linTicks
		want   string
	}{
		{0, 20, linTicks{max: 10, whole: true}, "0 2 4 6 8 10 12 14 16 18 20"},
		{0, 2, linTicks{max: 10, whole: true}, "0 1 2"},
		{1, 50, linTicks{max: 10, whole: true}, "5 10 15 20 25 30 35 40 45 50"},
		{0, 0.947, linTicks{max: 6}, "0.0 0.2 0.4 0.6 0.8"},
		{-0.6, 0.3, linTicks{max: 6}, "-0.6 -0.4 -0.2 0.0 0.2"},
		{0.0201, 0.0299, linTicks{max: 5}, "0.022 0.024 0.026 0.028"},
		{1, 1, linTicks{max: 5}, ""},
	} {
		if got := strings.Join(labels(tc.t.Ticks(tc.lo, tc.hi)), " "); got != tc.want {
			t.Errorf("%+v on [%v, %v]: %q, want %q", tc.t, tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestLossChart(t *testing.T) {
	const per, epochs = 50, 8
	steps := decay(per*epochs, 0.02, 60)
	for i := range steps {
		steps[i] *= 1 + 0.15*math.Sin(float64(i)*1.7) // noise between batches
	}
	var means []float64
	for e := range epochs {
		means = append(means, slices.Max(steps[e*per:(e+1)*per])*0.9)
	}
	test := decay(epochs, 0.023, 1.5)
	f, err := lossChart("train 2-D autoencoder", "per-pixel MSE", steps, per, means, test)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "loss.png")
	with := countColours(decode(t, f))
	f, err = lossChart("train 2-D autoencoder", "per-pixel MSE", steps, per, means, nil)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "loss_train.png")
	img := decode(t, f)
	without := countColours(img)
	if with[1] < 300 || without[1] != 0 {
		t.Errorf("test line: %d pixels of its colour with test values, %d without", with[1], without[1])
	}
	if without[0] < 300 {
		t.Errorf("epoch means: %d pixels of their colour", without[0])
	}
	if r := bounds(img, stepColour); r.Dx() < chartW/2 || r.Dy() < chartH/3 {
		t.Errorf("steps drawn over %v: want most of the chart", r)
	}

	for _, tc := range []struct {
		name        string
		steps       []float64
		per         float64
		means, test []float64
		xmax        float64
		ymin, ymax  float64 // 0: not checked
	}{
		{"whole epochs", decay(30, 0.1, 5), 10, []float64{0.2, 0.15, 0.12}, []float64{0.21, 0.16, 0.13}, 3, 0, 0.21},
		{"an epoch under way", decay(25, 0.1, 5), 10, []float64{0.2, 0.15}, nil, 3, 0, 0},
		{"more test values than epochs", nil, 10, []float64{0.2}, []float64{0.3, 0.25, 0.2, 0.18}, 4, 0.18, 0.3},
		{"nothing yet", nil, 938, nil, nil, 1, 0.01, 1},
		{"bad values skipped", []float64{0.5, 0, -1, math.NaN(), math.Inf(1), 0.25}, 3, []float64{0, 0.4}, []float64{math.NaN(), 0.3}, 2, 0.25, 0.5},
		{"one value", []float64{0.5}, 1, nil, nil, 1, 0.25, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := lossPlot("t", "per-pixel MSE", tc.steps, tc.per, tc.means, tc.test)
			if err != nil {
				t.Fatal(err)
			}
			if p.X.Min != 0 || p.X.Max != tc.xmax {
				t.Errorf("x axis %v..%v, want 0..%v", p.X.Min, p.X.Max, tc.xmax)
			}
			if lo, hi := axisRange(&p.Y, true); tc.ymin != 0 && !near(lo, tc.ymin) || tc.ymax != 0 && !near(hi, tc.ymax) {
				t.Errorf("y axis %v..%v, want %v..%v", lo, hi, tc.ymin, tc.ymax)
			}
			if p.X.Label.Text != "epoch" || p.Y.Label.Text != "per-pixel MSE (log scale)" {
				t.Errorf("axes labelled %q and %q", p.X.Label.Text, p.Y.Label.Text)
			}
			if _, err := lossChart("t", "per-pixel MSE", tc.steps, tc.per, tc.means, tc.test); err != nil {
				t.Fatal(err)
			}
		})
	}
	checkFigures(t, []figCase{
		{"steps per epoch 0", func() (*Figure, error) { return lossChart("t", "y", []float64{1}, 0, nil, nil) }, []string{"steps per epoch 0 invalid"}},
		{"steps per epoch NaN", func() (*Figure, error) { return lossChart("t", "y", nil, math.NaN(), nil, nil) }, []string{"steps per epoch NaN invalid"}},
	})
}

func TestBars(t *testing.T) {
	for _, tc := range []struct {
		name string
		bars []Bar
	}{
		{"over seeds", []Bar{{"random init", 0.912, 0.05}, {"pretrained encoder", 0.947, 0.02}, {"frozen encoder", 0.89, 0.08}}},
		{"single run", []Bar{{"autoencoder code", 0.72, 0}, {"PCA (2 components)", 0.46, 0}, {"chance", 0.1, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Bars(ChartOptions{Title: "k-NN accuracy from a 2-D representation", YLabel: "accuracy"}, tc.bars...)
			if err != nil {
				t.Fatal(err)
			}
			keep(t, f, "bars_"+strings.ReplaceAll(tc.name, " ", "_")+".png")
			if f.Width != chartW || f.Height != chartH {
				t.Fatalf("bars are %d×%d, want %d×%d", f.Width, f.Height, chartW, chartH)
			}
			img := decode(t, f)
			for k := range tc.bars {
				r := bounds(img, palette[k])
				if r.Dx() < 60 || r.Dy() < 20 {
					t.Fatalf("bar %d drawn over %v", k, r)
				}
				if !dark(img, image.Rect(r.Min.X, r.Min.Y-24, r.Max.X, r.Min.Y-4)) {
					t.Errorf("no number above bar %d", k)
				}
				if got := !plain(img, r.Inset(3), palette[k]); got != (tc.bars[k].Std > 0) {
					t.Errorf("bar %d (std %v): error bar drawn over it: %v", k, tc.bars[k].Std, got)
				}
			}
		})
	}
	for _, tc := range []struct {
		bar  Bar
		want string
	}{
		{Bar{"a", 0.912, 0.011}, "0.912 ± 0.011"},
		{Bar{"a", 0.7231, 0}, "0.723"},
		{Bar{"a", 0.7387, 0.011}, "0.739 ± 0.011"},
		{Bar{"a", -0.5, 0.1}, "-0.5 ± 0.1"},
	} {
		if got := barLabel(tc.bar); got != tc.want {
			t.Errorf("label of %+v: %q, want %q", tc.bar, got, tc.want)
		}
	}
	checkFigures(t, []figCase{
		{"negative", func() (*Figure, error) { return Bars(ChartOptions{}, Bar{"loss", -0.5, 0.1}, Bar{"zero", 0, 0}) }, nil},
		{"all zero", func() (*Figure, error) { return Bars(ChartOptions{}, Bar{"zero", 0, 0}) }, nil},
		{"none", func() (*Figure, error) { return Bars(ChartOptions{}) }, []string{"bar count 0 invalid"}},
		{"x axis", func() (*Figure, error) { return Bars(ChartOptions{XLabel: "runs"}, Bar{"a", 1, 0}) }, []string{"bars take a Title and a YLabel only"}},
		{"log", func() (*Figure, error) { return Bars(ChartOptions{LogY: true}, Bar{"a", 1, 0}) }, []string{"LogY:true", "invalid"}},
		{"std", func() (*Figure, error) { return Bars(ChartOptions{}, Bar{"a", 1, -1}) }, []string{`bar 0 ("a") 1 ± -1 invalid`, "std ≥ 0"}},
		{"inf", func() (*Figure, error) { return Bars(ChartOptions{}, Bar{"a", math.Inf(1), 0}) }, []string{"finite"}},
	})
}

// plain reports whether every pixel of the rectangle has colour c.
func plain(img image.Image, r image.Rectangle, c color.RGBA) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if rgba(img, x, y) != c {
				return false
			}
		}
	}
	return true
}

func BenchmarkLossChart(b *testing.B) {
	steps := decay(20*938, 0.02, 2000)
	means := decay(20, 0.02, 4)
	for b.Loop() {
		if _, err := lossChart("loss", "per-pixel MSE", steps, 938, means, nil); err != nil {
			b.Fatal(err)
		}
	}
}

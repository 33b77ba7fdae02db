package aelib

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"reflect"
	"strings"
	"testing"
)

// spread returns n values evenly spaced from lo to hi.
func spread(n int, lo, hi float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return v
}

// logSpread returns n values evenly spaced in log scale from lo to hi.
func logSpread(n int, lo, hi float64) []float64 {
	v := spread(n, math.Log10(lo), math.Log10(hi))
	for i := range v {
		v[i] = math.Pow(10, v[i])
	}
	return v
}

func TestHistogramBins(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logX   bool
		bins   int
		groups []Sample
		edges  []float64 // in log10 with logX
		shares [][]float64
	}{
		// Range 1..4 in 3 bins [1,2) [2,3) [3,4]: the largest value falls in the last.
		{"shared bins", false, 3, []Sample{{"a", []float64{1, 2, 3, 4}}, {"b", []float64{4}}},
			[]float64{1, 2, 3, 4}, [][]float64{{0.25, 0.25, 0.5}, {0, 0, 1}}},
		// A group ten times larger with the same spread has the same shares.
		{"sizes compare", false, 2, []Sample{{"small", []float64{0, 1}}, {"large", append(make([]float64, 10), spread(10, 1, 1)...)}},
			[]float64{0, 0.5, 1}, [][]float64{{0.5, 0.5}, {0.5, 0.5}}},
		{"one value", false, 4, []Sample{{"a", []float64{5, 5}}},
			[]float64{4.5, 4.75, 5, 5.25, 5.5}, [][]float64{{0, 0, 1, 0}}},
		{"negative values", false, 2, []Sample{{"a", []float64{-3, -1, -2.5}}},
			[]float64{-3, -2, -1}, [][]float64{{2.0 / 3, 1.0 / 3}}},
		// Log bins [1,10) [10,100]: log10 edges 0, 1, 2.
		{"log", true, 2, []Sample{{"a", []float64{1, 10, 100}}, {"b", []float64{2, 3, 50, 9}}},
			[]float64{0, 1, 2}, [][]float64{{1.0 / 3, 2.0 / 3}, {0.75, 0.25}}},
		{"log, one value", true, 2, []Sample{{"a", []float64{10}}},
			[]float64{1 - math.Log10(2), 1, 1 + math.Log10(2)}, [][]float64{{0, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := HistogramOptions{ChartOptions: ChartOptions{LogX: tc.logX}}
			edges, shares, err := histBins(o, tc.bins, tc.groups)
			if err != nil {
				t.Fatal(err)
			}
			if !closeAll(edges, tc.edges) {
				t.Errorf("edges %v, want %v", edges, tc.edges)
			}
			if len(shares) != len(tc.shares) {
				t.Fatalf("%d groups of shares, want %d", len(shares), len(tc.shares))
			}
			for k := range shares {
				if !closeAll(shares[k], tc.shares[k]) {
					t.Errorf("group %d: shares %v, want %v", k, shares[k], tc.shares[k])
				}
			}
		})
	}
}

func TestHistSteps(t *testing.T) {
	edges := []float64{0, 1, 2, 3, 4}
	for _, tc := range []struct {
		shares []float64
		want   [][]float64 // each line's points as x, y, x, y, …
	}{
		{[]float64{0.5, 0, 0.25, 0.25}, [][]float64{{0, 0, 0, 0.5, 1, 0.5, 1, 0}, {2, 0, 2, 0.25, 3, 0.25, 3, 0.25, 4, 0.25, 4, 0}}},
		{[]float64{0, 1, 0, 0}, [][]float64{{1, 0, 1, 1, 2, 1, 2, 0}}},
		{[]float64{0, 0, 0, 0}, nil},
	} {
		var got [][]float64
		for _, line := range histSteps(edges, tc.shares) {
			var pts []float64
			for _, p := range line {
				pts = append(pts, p.X, p.Y)
			}
			got = append(got, pts)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("outline of %v: %v, want %v", tc.shares, got, tc.want)
		}
	}
}

// tint is palette colour c filled at Histogram's opacity over white.
func tint(c color.RGBA) color.RGBA {
	a := math.Round(histAlpha*255) / 255
	f := func(v uint8) uint8 { return uint8(math.Round(255 + a*(float64(v)-255))) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), 0xff}
}

// like reports whether a and b differ by at most 2 in each channel.
func like(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= 2 && int(y)-int(x) <= 2 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

// subImage returns the part r of img.
func subImage(img image.Image, r image.Rectangle) image.Image {
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

// markRGBA is the colour of Histogram's marks.
var markRGBA = color.RGBAModel.Convert(markColour).(color.RGBA)

func TestHistogram(t *testing.T) {
	for _, tc := range []struct {
		name        string
		o           HistogramOptions
		normal, odd []float64
		ratio       float64 // how much wider the normal group is drawn than the odd one, ±15%
	}{
		{"linear", HistogramOptions{ChartOptions{Title: "reconstruction error of test digits", XLabel: "per-pixel MSE", YLabel: "share of the digits"},
			[]Mark{{1.5, "threshold (95% of held-out 1s below)"}}}, spread(400, 0, 1), spread(50, 2, 2.5), 2},
		// Two decades against one: on a log axis the normal group is drawn twice as wide.
		{"log", HistogramOptions{ChartOptions{Title: "reconstruction error of test digits", XLabel: "per-pixel MSE", LogX: true},
			[]Mark{{0.07, "threshold"}}}, logSpread(300, 0.0005, 0.05), logSpread(80, 0.1, 1), 2},
		{"legend below", HistogramOptions{ChartOptions{XLabel: "per-pixel MSE", LegendBelow: true},
			[]Mark{{1.5, "threshold"}}}, spread(100, 0, 1), spread(100, 2, 3), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Histogram(tc.o, 40, Sample{"digit 1 (normal)", tc.normal}, Sample{"other digits", tc.odd})
			if err != nil {
				t.Fatal(err)
			}
			keep(t, f, "histogram_"+strings.ReplaceAll(tc.name, " ", "_")+".png")
			if f.Width != chartW || f.Height != chartH {
				t.Fatalf("histogram is %d×%d, want %d×%d", f.Width, f.Height, chartW, chartH)
			}
			img := decode(t, f)
			// Below the title and legend and above the legend strip: the two groups' outlines, normal left of odd.
			chart := subImage(img, image.Rect(0, 100, chartW, chartH*3/4))
			r0, r1 := bounds(chart, palette[0]), bounds(chart, palette[1])
			if r0.Empty() || r1.Empty() || r0.Max.X >= r1.Min.X {
				t.Fatalf("normal group drawn over %v, the other over %v: want both, the normal at the left", r0, r1)
			}
			if q := float64(r0.Dx()) / float64(r1.Dx()); math.Abs(q/tc.ratio-1) > 0.15 {
				t.Errorf("groups %d and %d pixels wide: ratio %.2f, want %v", r0.Dx(), r1.Dx(), q, tc.ratio)
			}
			// Each group's fill, low in its bars: most of the row between its outline's ends (grid lines show through).
			for k, r := range []image.Rectangle{r0, r1} {
				y, n := r.Max.Y-8, 0
				for x := r.Min.X; x < r.Max.X; x++ {
					if like(rgba(img, x, y), tint(palette[k])) {
						n++
					}
				}
				if n < r.Dx()*3/4 {
					t.Errorf("group %d: %d of %d pixels of row %d in its fill %v", k, n, r.Dx(), y, tint(palette[k]))
				}
			}
			// The mark: a thin dark column between them.
			between := subImage(img, image.Rect(r0.Max.X+2, 100, r1.Min.X-2, chartH*3/4))
			if m := bounds(between, markRGBA); m.Dx() > 3 || m.Dy() < 100 {
				t.Errorf("mark drawn over %v, between the groups (%v, %v)", m, r0, r1)
			}
			// The legend: each group's sample and the mark's, with their names, at the top right or under the chart.
			legend := image.Rect(chartW/2, 0, chartW, 100)
			if tc.o.LegendBelow {
				legend = image.Rect(chartW/2, chartH*4/5, chartW, chartH)
			}
			for _, c := range []color.RGBA{palette[0], palette[1], markRGBA} {
				if bounds(subImage(img, legend), c).Empty() {
					t.Errorf("no legend sample of colour %v in %v", c, legend)
				}
			}
			if !dark(img, legend) {
				t.Errorf("no legend text in %v", legend)
			}
		})
	}
	p, err := histPlot(HistogramOptions{ChartOptions: ChartOptions{XLabel: "per-pixel MSE", LogX: true}}, 10, []Sample{{"a", []float64{0.01, 0.2}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, isLog := p.X.Tick.Marker.(log10Ticks); !isLog || p.X.Label.Text != "per-pixel MSE (log scale)" || p.Y.Label.Text != "share of each group" {
		t.Errorf("log histogram: x ticks %T, labels %q and %q", p.X.Tick.Marker, p.X.Label.Text, p.Y.Label.Text)
	}
	if p.Y.Min != 0 || p.Y.Max < 0.5 {
		t.Errorf("y axis %v..%v: want it from 0 over the highest bar (0.5)", p.Y.Min, p.Y.Max)
	}
	// Drawing twice gives the same image.
	draw := func() []byte {
		f, err := Histogram(HistogramOptions{Marks: []Mark{{0.5, "m"}}}, 10, Sample{"a", []float64{0, 1, 0.3}})
		if err != nil {
			t.Fatal(err)
		}
		return f.PNG
	}
	if !bytes.Equal(draw(), draw()) {
		t.Error("two renderings differ")
	}
}

func TestHistogramErrors(t *testing.T) {
	ok := Sample{"normal", []float64{1, 2, 3}}
	lin := HistogramOptions{}
	logX := HistogramOptions{ChartOptions: ChartOptions{LogX: true}}
	checkFigures(t, []figCase{
		{"one value", func() (*Figure, error) { return Histogram(lin, 10, Sample{Values: []float64{7}}) }, nil},
		{"one bin", func() (*Figure, error) { return Histogram(lin, 1, ok, ok) }, nil},
		{"unnamed marks", func() (*Figure, error) {
			return Histogram(HistogramOptions{Marks: []Mark{{0, ""}, {2, ""}, {9, "far"}, {2.5, "4th"}}}, 10, ok)
		}, nil},
		{"eleven groups", func() (*Figure, error) {
			var gs []Sample
			for k := range 11 {
				gs = append(gs, Sample{string(rune('a' + k)), []float64{float64(k)}})
			}
			return Histogram(HistogramOptions{ChartOptions: ChartOptions{LegendBelow: true}}, 11, gs...)
		}, nil},
		{"bins 0", func() (*Figure, error) { return Histogram(lin, 0, ok) }, []string{"histogram bin count 0 invalid", "1..500"}},
		{"bins 501", func() (*Figure, error) { return Histogram(lin, 501, ok) }, []string{"bin count 501 invalid"}},
		{"no groups", func() (*Figure, error) { return Histogram(lin, 10) }, []string{"histogram group count 0 invalid"}},
		{"empty group", func() (*Figure, error) { return Histogram(lin, 10, ok, Sample{Name: "other"}) },
			[]string{`group 1 ("other") value count 0 invalid`, "at least one value"}},
		{"NaN", func() (*Figure, error) { return Histogram(lin, 10, Sample{"a", []float64{1, math.NaN()}}) },
			[]string{`value 1 (NaN) of group 0 ("a") invalid`, "finite"}},
		{"Inf", func() (*Figure, error) { return Histogram(lin, 10, Sample{"a", []float64{math.Inf(-1)}}) }, []string{"(-Inf)", "finite"}},
		{"log zero", func() (*Figure, error) { return Histogram(logX, 10, Sample{"a", []float64{1, 0}}) },
			[]string{"value 1 (0) of group 0", "> 0 on a log scale"}},
		{"log y", func() (*Figure, error) {
			return Histogram(HistogramOptions{ChartOptions: ChartOptions{LogY: true}}, 10, ok)
		},
			[]string{"option LogY invalid", "linear y axis"}},
		{"mark NaN", func() (*Figure, error) { return Histogram(HistogramOptions{Marks: []Mark{{math.NaN(), "t"}}}, 10, ok) },
			[]string{`histogram mark 0 ("t") at NaN invalid`, "finite"}},
		{"log mark", func() (*Figure, error) {
			return Histogram(HistogramOptions{ChartOptions: ChartOptions{LogX: true}, Marks: []Mark{{1, "a"}, {-1, "t"}}}, 10, ok)
		}, []string{`mark 1 ("t") at -1 invalid`, "> 0 on a log scale"}},
	})
}

package aelib

import (
	"math"
	"testing"
)

// scatterData returns n codes per class on a ring, class k around angle k.
func scatterData(n int) ([]float32, []int) {
	var codes []float32
	var labels []int
	for k := range 10 {
		for i := range n {
			a := 2*math.Pi*float64(k)/10 + 0.3*float64(i)/float64(max(n, 1))
			r := 0.8 - 0.5*float64(i%7)/7
			codes = append(codes, float32(r*math.Cos(a)), float32(r*math.Sin(a)))
			labels = append(labels, k)
		}
	}
	return codes, labels
}

func TestScatter(t *testing.T) {
	o := ScatterOptions{Title: "test digits in code space", XLabel: "code[0]", YLabel: "code[1]", Bounds: [4]float64{-1, 1, -1, 1}}
	empty, err := Scatter(nil, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	codes, labels := scatterData(40)
	f, err := Scatter(codes, labels, o)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "scatter.png")
	if f.Width != scatterW || f.Height != scatterH {
		t.Fatalf("scatter is %d×%d, want %d×%d", f.Width, f.Height, scatterW, scatterH)
	}
	// The legend alone draws each colour; the glyphs add many more pixels.
	base, got := countColours(decode(t, empty)), countColours(decode(t, f))
	for k := range 10 {
		if base[k] < 100 {
			t.Errorf("legend swatch of class %d has %d pixels", k, base[k])
		}
		if got[k] < base[k]+20 {
			t.Errorf("class %d: %d pixels of its colour, %d without points", k, got[k], base[k])
		}
	}
	// A single class colours only its own glyphs.
	one, err := Scatter([]float32{0, 0, 0.5, 0.5, -0.5, 0.2}, []int{3, 3, 3}, o)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, one, "scatter_one.png")
	n := countColours(decode(t, one))
	for k := range 10 {
		if more := n[k] > base[k]; more != (k == 3) {
			t.Errorf("one class 3: class %d has %d pixels, legend %d", k, n[k], base[k])
		}
	}
	// Automatic bounds and many points.
	codes, labels = scatterData(1000)
	for i := range codes {
		codes[i] = codes[i]*3 + 1
	}
	big, err := Scatter(codes, labels, ScatterOptions{Title: "10 000 points, automatic bounds", XLabel: "PC 1", YLabel: "PC 2"})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, big, "scatter_auto.png")
}

func TestScatterErrors(t *testing.T) {
	checkFigures(t, []figCase{
		{"lengths", func() (*Figure, error) { return Scatter(make([]float32, 5), []int{1, 2}, ScatterOptions{}) }, []string{"code length 5 invalid", "must be 4"}},
		{"label 10", func() (*Figure, error) { return Scatter(make([]float32, 4), []int{1, 10}, ScatterOptions{}) }, []string{"label 10 of point 1 invalid", "0..9"}},
		{"label -1", func() (*Figure, error) { return Scatter(make([]float32, 2), []int{-1}, ScatterOptions{}) }, []string{"label -1 of point 0 invalid"}},
		{"NaN", func() (*Figure, error) {
			return Scatter([]float32{0, float32(math.NaN())}, []int{1}, ScatterOptions{})
		}, []string{"code (0, NaN) of point 0 invalid", "finite"}},
		{"bounds", func() (*Figure, error) {
			return Scatter(nil, nil, ScatterOptions{Bounds: [4]float64{1, -1, -1, 1}})
		}, []string{"bounds [1 -1 -1 1] invalid", "xmin < xmax"}},
		{"empty, fitted", func() (*Figure, error) { return Scatter(nil, nil, ScatterOptions{}) }, nil},
	})
}

func BenchmarkScatter10k(b *testing.B) {
	codes, labels := scatterData(1000)
	for b.Loop() {
		if _, err := Scatter(codes, labels, ScatterOptions{Bounds: [4]float64{-1, 1, -1, 1}}); err != nil {
			b.Fatal(err)
		}
	}
}

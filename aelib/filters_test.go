package aelib

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

func TestFilters(t *testing.T) {
	var (
		blue  = color.RGBA{0x1f, 0x77, 0xb4, 0xff}
		red   = color.RGBA{0xd6, 0x27, 0x28, 0xff}
		white = color.RGBA{0xff, 0xff, 0xff, 0xff}
		// Halfway from white to red: 255 + ½·(214−255), 255 + ½·(39−255), 255 + ½·(40−255), rounded.
		halfRed  = color.RGBA{235, 147, 148, 0xff}
		halfBlue = color.RGBA{143, 187, 218, 0xff} // 255 + ½·(31−255), …(119−255), …(180−255)
		frame    = color.RGBA{0xb0, 0xb0, 0xb0, 0xff}
	)
	filters := [][]float32{
		{-2, 0, 1, 2},        // largest |w| 2: blue, white, half red, red
		{0.1, -0.1, 0, 0.05}, // scaled to its own 0.1: red, blue, white, half red
		{0, 0, 0, 0},         // white
		{-1, -0.5, 0.25, 0},  // blue, half blue, a quarter red, white
	}
	want := [][]color.RGBA{
		{blue, white, halfRed, red},
		{red, blue, white, halfRed},
		{white, white, white, white},
		{blue, halfBlue, {245, 201, 201, 0xff}, white}, // 255 − ¼·41 = 244.75, 255 − ¼·216 = 201, 255 − ¼·215 = 201.25
	}
	f, err := Filters(filters, 2, GridOptions{Cols: 3, Scale: 10})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "filters_hand.png")
	// Tiles of 2×10 pixels, 3 columns 6 apart and 2 rows 8 apart, margins of 10.
	if w, h := 2*10+3*20+2*6, 2*10+2*20+8; f.Width != w || f.Height != h {
		t.Fatalf("filters are %d×%d, want %d×%d", f.Width, f.Height, w, h)
	}
	img := decode(t, f)
	for i := range filters {
		x0, y0 := 10+(i%3)*26, 10+(i/3)*28
		for p, c := range want[i] {
			for _, d := range [][2]int{{0, 0}, {9, 9}, {5, 2}} { // the corners and inside of the 10×10 block
				x, y := x0+(p%2)*10+d[0], y0+(p/2)*10+d[1]
				if got := rgba(img, x, y); got != c {
					t.Errorf("filter %d weight %d: pixel (%d, %d) is %v, want %v", i, p, x, y, got, c)
				}
			}
		}
		for _, xy := range [][2]int{{x0 - 1, y0 - 1}, {x0 + 20, y0 + 20}, {x0 + 7, y0 - 1}, {x0 - 1, y0 + 13}} {
			if got := rgba(img, xy[0], xy[1]); got != frame {
				t.Errorf("filter %d: frame pixel %v is %v, want %v", i, xy, got, frame)
			}
		}
	}
	if c := rgba(img, 10+20+2, 15); c != white {
		t.Errorf("gap between tiles is %v, want white", c)
	}

	// The diverging map at its ends, its middle and beyond.
	for _, tc := range []struct {
		u    float64
		want color.RGBA
	}{{-1, blue}, {0, white}, {1, red}, {0.5, halfRed}, {-0.5, halfBlue}, {3, red}, {-7, blue}} {
		if got := diverge(tc.u); got != tc.want {
			t.Errorf("diverge(%v) = %v, want %v", tc.u, got, tc.want)
		}
	}

	// Titles, row labels and a caption, at the default scale (12: 3×3 filters are 36 pixels wide).
	r := rand.New(rand.NewPCG(5, 6))
	var many [][]float32
	var titles []string
	for i := range 16 {
		w := make([]float32, 9)
		for j := range w {
			w[j] = float32(r.NormFloat64())
		}
		many = append(many, w)
		titles = append(titles, "filter "+string(rune('A'+i)))
	}
	o := GridOptions{Cols: 8, Titles: titles, RowLabels: []string{"layer 1", "layer 1'"}, Caption: "First-layer filters of the convolutional autoencoder"}
	f, err = Filters(many, 3, o)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "filters.png")
	img = decode(t, f)
	g := filterLayout(16, o, 36)
	if f.Width != g.w || f.Height != g.h || g.t != 36 {
		t.Fatalf("filters are %d×%d with %d-pixel tiles, layout %d×%d", f.Width, f.Height, g.t, g.w, g.h)
	}
	x, y := g.tile(0)
	if !dark(img, image.Rect(x, y-int(g.titleH), x+36, y)) {
		t.Error("no title above filter 0")
	}
	if !dark(img, image.Rect(0, y, x-2, y+36)) {
		t.Error("no row label left of row 0")
	}
	if !dark(img, image.Rect(0, 0, f.Width, y-int(g.titleH))) {
		t.Error("no caption")
	}
	x, y = g.tile(9) // row 1, column 1: its weight 4 (centre) at the tile's centre
	if got, want := rgba(img, x+18, y+18), filterColour(many[9], 4); got != want {
		t.Errorf("filter 9's centre is %v, want %v", got, want)
	}
}

// filterColour is the colour Filters gives weight j of filter w.
func filterColour(w []float32, j int) color.RGBA {
	var m float64
	for _, v := range w {
		m = max(m, math.Abs(float64(v)))
	}
	return diverge(float64(w[j]) / m)
}

func TestFiltersErrors(t *testing.T) {
	three := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	one := [][]float32{three}
	nan := []float32{1, 2, 3, 4, float32(math.NaN()), 6, 7, 8, 9}
	checkFigures(t, []figCase{
		{"one weight", func() (*Figure, error) { return Filters([][]float32{{-3}}, 1, GridOptions{Cols: 1}) }, nil},
		{"largest scale", func() (*Figure, error) { return Filters(one, 3, GridOptions{Cols: 4, Scale: 64}) }, nil},
		{"no filters", func() (*Figure, error) { return Filters(nil, 3, GridOptions{Cols: 1}) }, []string{"filter count 0 invalid"}},
		{"size 0", func() (*Figure, error) { return Filters(one, 0, GridOptions{Cols: 1}) }, []string{"filter size 0 invalid", "at least 1"}},
		{"wrong size", func() (*Figure, error) { return Filters([][]float32{three, three[:4]}, 3, GridOptions{Cols: 1}) },
			[]string{"filter 1 length 4 invalid", "must be 9 (3×3)"}},
		{"size for another", func() (*Figure, error) { return Filters(one, 2, GridOptions{Cols: 1}) }, []string{"filter 0 length 9 invalid", "must be 4 (2×2)"}},
		{"NaN", func() (*Figure, error) { return Filters([][]float32{three, nan}, 3, GridOptions{Cols: 1}) },
			[]string{"filter 1 weight 4 (NaN) invalid", "finite"}},
		{"cols 0", func() (*Figure, error) { return Filters(one, 3, GridOptions{}) }, []string{"filters columns 0 invalid"}},
		{"titles", func() (*Figure, error) { return Filters(one, 3, GridOptions{Cols: 1, Titles: []string{"a", "b"}}) },
			[]string{"filters title count 2 invalid", "must be 1"}},
		{"row labels", func() (*Figure, error) {
			return Filters([][]float32{three, three}, 3, GridOptions{Cols: 1, RowLabels: []string{"a"}})
		}, []string{"filters row label count 1 invalid", "must be 2"}},
		{"scale", func() (*Figure, error) { return Filters(one, 3, GridOptions{Cols: 1, Scale: 65}) }, []string{"filters scale 65 invalid", "1..64, or 0 for 12"}},
		{"negative scale", func() (*Figure, error) { return Filters(one, 3, GridOptions{Cols: 1, Scale: -1}) }, []string{"filters scale -1 invalid"}},
		{"wide tile", func() (*Figure, error) {
			return Filters([][]float32{make([]float32, 300*300)}, 300, GridOptions{Cols: 1, Scale: 64})
		}, []string{"tile of 300×300 weights at scale 64 invalid", "smaller scale"}},
		{"too large", func() (*Figure, error) {
			var fs [][]float32
			for range 400 {
				fs = append(fs, make([]float32, 100*100))
			}
			return Filters(fs, 100, GridOptions{Cols: 20, Scale: 10})
		}, []string{"pixels invalid", "fewer filters"}},
	})
}

package aelib

import (
	"bytes"
	"image"
	"math"
	"slices"
	"testing"
)

// blur returns a 3×3 box blur of img: a stand-in for a reconstruction.
func blur(img []float32) []float32 {
	out := make([]float32, Pixels)
	for y := range 28 {
		for x := range 28 {
			var s float32
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if u, v := x+dx, y+dy; u >= 0 && u < 28 && v >= 0 && v < 28 {
						s += img[v*28+u]
					}
				}
			}
			out[y*28+x] = s / 9
		}
	}
	return out
}

func TestGrid(t *testing.T) {
	var imgs [][]float32
	for k := range 6 {
		imgs = append(imgs, testDigit(t, k))
	}
	f, err := Grid(imgs, GridOptions{Cols: 3})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "grid.png")
	img := decode(t, f)
	// 2 margins of 10, 3 tiles of 84, 2 gaps of 6; 2 rows, 1 gap of 8.
	if w, h := 2*10+3*84+2*6, 2*10+2*84+8; f.Width != w || f.Height != h {
		t.Fatalf("grid is %d×%d, want %d×%d", f.Width, f.Height, w, h)
	}
	tiles := make([][]uint8, 6)
	for i := range 6 {
		x0, y0 := 10+(i%3)*(84+6), 10+(i/3)*(84+8)
		for p := range Pixels {
			// The centre of each 3×3 block shows the pixel's grey level.
			c := rgba(img, x0+(p%28)*3+1, y0+(p/28)*3+1)
			if want := grey(imgs[i][p]); c.R != want || c.G != want || c.B != want {
				t.Fatalf("tile %d pixel %d is %v, want grey %d", i, p, c, want)
			}
			tiles[i] = append(tiles[i], c.R)
		}
	}
	for i := range tiles {
		for j := range i {
			if bytes.Equal(tiles[i], tiles[j]) {
				t.Errorf("tiles %d and %d are the same", j, i)
			}
		}
	}
	// Nothing but white between the tiles.
	if dark(img, image.Rect(0, 0, f.Width, 10)) || dark(img, image.Rect(94, 10, 100, 94)) {
		t.Error("margin or gap is not white")
	}
}

func TestGridText(t *testing.T) {
	imgs := [][]float32{testDigit(t, 1), testDigit(t, 7), blur(testDigit(t, 1)), blur(testDigit(t, 7))}
	plain, err := Grid(imgs, GridOptions{Cols: 2})
	if err != nil {
		t.Fatal(err)
	}
	titled := GridOptions{Cols: 2, Titles: []string{"(-0.75,0.50)", "(0.25,-1.00)", "b", ""}}
	f, err := Grid(imgs, titled)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "grid_titles.png")
	pi, ti := decode(t, plain), decode(t, f)
	if f.Height <= plain.Height {
		t.Errorf("titles did not add a title band: height %d, %d without", f.Height, plain.Height)
	}
	g := gridLayout(4, titled)
	if g.titleH < 12 {
		t.Errorf("title band is %v pixels high: too small to read", g.titleH)
	}
	x, y := g.tile(0)
	if !dark(ti, image.Rect(x, y-int(g.titleH), x+84, y)) {
		t.Error("no title drawn above tile 0")
	}
	if x, y = g.tile(3); dark(ti, image.Rect(x, y-int(g.titleH), x+84, y)) {
		t.Error("empty title of tile 3 drew something")
	}
	x, y = gridLayout(4, GridOptions{Cols: 2}).tile(0)
	if dark(pi, image.Rect(x, 0, x+84, y)) {
		t.Error("grid without titles drew above tile 0")
	}
	// Columns widen to fit titles wider than a tile.
	long := GridOptions{Cols: 2, Titles: []string{"a rather long title", "", "", ""}}
	if f, err := Grid(imgs, long); err != nil || f.Width <= plain.Width {
		t.Errorf("long title: %v, want wider than %d", err, plain.Width)
	}

	o := GridOptions{Cols: 2, RowLabels: []string{"original", "reconstruction"}, Caption: "Autoencoder on test digits"}
	labelled, err := Grid(imgs, o)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, labelled, "grid_rows.png")
	li := decode(t, labelled)
	g = gridLayout(4, o)
	x, y = g.tile(0)
	if g.labelW < 80 || !dark(li, image.Rect(0, y, x, y+84)) {
		t.Errorf("row label missing left of row 0 (label width %v)", g.labelW)
	}
	if g.capH < 14 || !dark(li, image.Rect(0, 0, labelled.Width, y)) {
		t.Errorf("caption missing (band height %v)", g.capH)
	}
	if labelled.Width <= plain.Width || labelled.Height <= plain.Height {
		t.Errorf("labelled grid is %d×%d, plain %d×%d", labelled.Width, labelled.Height, plain.Width, plain.Height)
	}
}

func TestGridScaleAndClip(t *testing.T) {
	img := make([]float32, Pixels)
	img[0], img[1], img[2], img[3] = -3, 7, float32(math.NaN()), 0.5
	f, err := Grid([][]float32{img}, GridOptions{Cols: 5, Scale: 2})
	if err != nil {
		t.Fatal(err)
	}
	if w := 2*10 + 56; f.Width != w || f.Height != w {
		t.Fatalf("one tile at scale 2 is %d×%d, want %d×%d", f.Width, f.Height, w, w)
	}
	d := decode(t, f)
	for i, want := range []uint8{0, 255, 0, 128} {
		if c := rgba(d, 10+2*i, 10); c.R != want {
			t.Errorf("value %v drawn as %d, want %d", img[i], c.R, want)
		}
	}
}

func TestDigitLine(t *testing.T) {
	img := testDigit(t, 3)
	f, err := DigitLine(img, "one digit is 784 numbers")
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "digitline.png")
	d := decode(t, f)
	if f.Width != digitLineW || f.Height != digitLineH {
		t.Fatalf("digit line is %d×%d, want %d×%d", f.Width, f.Height, digitLineW, digitLineH)
	}
	// The image: 7×7 blocks at (24, 52).
	for _, p := range []int{0, 14*28 + 14, 20*28 + 9} {
		if c := rgba(d, 24+(p%28)*7+3, 52+(p/28)*7+3); c.R != grey(img[p]) {
			t.Errorf("pixel %d drawn as %d, want %d", p, c.R, grey(img[p]))
		}
	}
	if n := countColours(d)[0]; n < 300 {
		t.Errorf("line drew %d pixels of its colour", n)
	}
	if !dark(d, image.Rect(0, 0, f.Width, 40)) {
		t.Error("no title")
	}
}

func TestGridErrors(t *testing.T) {
	good := make([]float32, Pixels)
	nan := make([]float32, Pixels)
	nan[5] = float32(math.NaN())
	one := [][]float32{good}
	checkFigures(t, []figCase{
		{"no images", func() (*Figure, error) { return Grid(nil, GridOptions{Cols: 3}) }, []string{"grid image count 0 invalid"}},
		{"short image", func() (*Figure, error) { return Grid([][]float32{good, good[:100]}, GridOptions{Cols: 3}) }, []string{"grid image 1 length 100 invalid", "784"}},
		{"nil image", func() (*Figure, error) { return Grid([][]float32{nil}, GridOptions{Cols: 3}) }, []string{"image 0 length 0 invalid"}},
		{"cols 0", func() (*Figure, error) { return Grid(one, GridOptions{}) }, []string{"grid columns 0 invalid"}},
		{"cols -1", func() (*Figure, error) { return Grid(one, GridOptions{Cols: -1}) }, []string{"grid columns -1 invalid"}},
		{"titles", func() (*Figure, error) { return Grid(one, GridOptions{Cols: 1, Titles: []string{"a", "b"}}) }, []string{"title count 2 invalid", "must be 1"}},
		{"row labels", func() (*Figure, error) {
			return Grid([][]float32{good, good}, GridOptions{Cols: 1, RowLabels: []string{"a"}})
		}, []string{"row label count 1 invalid", "must be 2"}},
		{"scale", func() (*Figure, error) { return Grid(one, GridOptions{Cols: 1, Scale: 40}) }, []string{"scale 40 invalid", "1..16"}},
		{"too large", func() (*Figure, error) {
			return Grid(slices.Repeat(one, 2000), GridOptions{Cols: 50, Scale: 16})
		}, []string{"pixels invalid", "smaller scale"}},
		{"digit line length", func() (*Figure, error) { return DigitLine(good[:783], "x") }, []string{"image length 783 invalid", "784"}},
		{"digit line NaN", func() (*Figure, error) { return DigitLine(nan, "x") }, []string{"value 5 (NaN) invalid", "finite"}},
		{"digit line untitled", func() (*Figure, error) { return DigitLine(good, "") }, nil},
	})
}

func BenchmarkGrid20x20(b *testing.B) {
	imgs := make([][]float32, 400)
	titles := make([]string, 400)
	for i := range imgs {
		imgs[i] = testDigit(b, i)
		titles[i] = "(0.00,0.00)"
	}
	for b.Loop() {
		if _, err := Grid(imgs, GridOptions{Cols: 20, Titles: titles}); err != nil {
			b.Fatal(err)
		}
	}
}

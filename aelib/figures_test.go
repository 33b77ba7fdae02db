package aelib

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// testDigit returns a 28×28 image of the character k drawn white on black,
// a stand-in for an MNIST digit that looks like one.
func testDigit(t testing.TB, k int) []float32 {
	t.Helper()
	c := vgimg.NewWith(vgimg.UseWH(28, 28), vgimg.UseDPI(72), vgimg.UseBackgroundColor(color.Black))
	sty := figText(figSansBold, 22)
	sty.Color = color.White
	sty.XAlign, sty.YAlign = vgdraw.XCenter, vgdraw.YCenter
	dc := vgdraw.New(c)
	dc.FillText(sty, vg.Point{X: 14, Y: 14}, digitNames[k%10])
	img := c.Image()
	out := make([]float32, Pixels)
	for i := range out {
		r, _, _, _ := img.At(i%28, i/28).RGBA()
		out[i] = float32(r) / 0xffff
	}
	return out
}

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

// decode decodes the figure and checks its recorded size.
func decode(t *testing.T, f *Figure) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(f.PNG))
	if err != nil {
		t.Fatalf("decoding figure: %v", err)
	}
	if b := img.Bounds(); b.Dx() != f.Width || b.Dy() != f.Height {
		t.Fatalf("figure says %d×%d, PNG is %d×%d", f.Width, f.Height, b.Dx(), b.Dy())
	}
	return img
}

// keep saves the figure in a temporary directory, and in $AELIB_FIGURES_DIR
// when set so a human can look at it.
func keep(t *testing.T, f *Figure, name string) {
	t.Helper()
	dirs := []string{t.TempDir()}
	if d := os.Getenv("AELIB_FIGURES_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := f.Save(filepath.Join(d, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// rgba returns the 8-bit colour of pixel (x, y).
func rgba(img image.Image, x, y int) color.RGBA {
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

// countColours counts the pixels of each palette colour.
func countColours(img image.Image) [10]int {
	var n [10]int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := rgba(img, x, y)
			for k, p := range Palette {
				if c == p {
					n[k]++
				}
			}
		}
	}
	return n
}

// dark reports whether the rectangle holds a pixel darker than light grey.
func dark(img image.Image, r image.Rectangle) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := rgba(img, x, y); int(c.R)+int(c.G)+int(c.B) < 3*160 {
				return true
			}
		}
	}
	return false
}

func TestGrid(t *testing.T) {
	var imgs [][]float32
	for k := range 6 {
		imgs = append(imgs, testDigit(t, k))
	}
	f, err := Grid(imgs, nil, 3)
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
	plain, err := Grid(imgs, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	titles := []string{"(-0.75,0.50)", "(0.25,-1.00)", "b", ""}
	titled, err := Grid(imgs, titles, 2)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, titled, "grid_titles.png")
	pi, ti := decode(t, plain), decode(t, titled)
	if titled.Height <= plain.Height {
		t.Errorf("titles did not add a title band: height %d, %d without", titled.Height, plain.Height)
	}
	g := gridLayout(4, 2, DefaultScale, GridOptions{Titles: titles})
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
	x, y = gridLayout(4, 2, DefaultScale, GridOptions{}).tile(0)
	if dark(pi, image.Rect(x, 0, x+84, y)) {
		t.Error("grid without titles drew above tile 0")
	}
	// Columns widen to fit titles wider than a tile.
	long := []string{"a rather long title", "", "", ""}
	if f, err := Grid(imgs, long, 2); err != nil || f.Width <= plain.Width {
		t.Errorf("long title: width %v (err %v), want more than %d", f.Width, err, plain.Width)
	}

	o := GridOptions{Cols: 2, RowLabels: []string{"original", "reconstruction"}, Caption: "Autoencoder on test digits"}
	labelled, err := GridWith(imgs, o)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, labelled, "grid_rows.png")
	li := decode(t, labelled)
	g = gridLayout(4, 2, DefaultScale, o)
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
	f, err := GridWith([][]float32{img}, GridOptions{Cols: 5, Scale: 2})
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
	o := ScatterOptions{Title: "test digits in code space", Bounds: [4]float64{-1, 1, -1, 1}, GlyphSize: 12}
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
		if got[k] < base[k]+100 {
			t.Errorf("class %d: %d pixels of its colour, %d without points", k, got[k], base[k])
		}
	}
	// A single class colours only its own glyphs.
	one, err := Scatter([]float32{0, 0, 0.5, 0.5, -0.5, 0.2}, []int{3, 3, 3}, ScatterOptions{GlyphSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, one, "scatter_one.png")
	n := countColours(decode(t, one))
	for k := range 10 {
		if more := n[k] > base[k]+20; more != (k == 3) {
			t.Errorf("one class 3: class %d has %d pixels, legend %d", k, n[k], base[k])
		}
	}
	// Automatic bounds and many points.
	codes, labels = scatterData(1000)
	for i := range codes {
		codes[i] = codes[i]*3 + 1
	}
	big, err := Scatter(codes, labels, ScatterOptions{Title: "10 000 points, automatic bounds"})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, big, "scatter_auto.png")
}

func TestCurves(t *testing.T) {
	var train, test Series
	train.Name, test.Name = "train", "test"
	for e := 1; e <= 50; e++ {
		train.X = append(train.X, float64(e))
		train.Y = append(train.Y, 0.02+0.1*math.Exp(-float64(e)/8))
		test.X = append(test.X, float64(e))
		test.Y = append(test.Y, 0.025+0.1*math.Exp(-float64(e)/9))
	}
	f, err := Curves("reconstruction loss", "epoch", "MSE", train, test)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "curves.png")
	if f.Width != chartW || f.Height != chartH {
		t.Fatalf("curves are %d×%d, want %d×%d", f.Width, f.Height, chartW, chartH)
	}
	n := countColours(decode(t, f))
	if n[0] < 300 || n[1] < 300 || n[2] != 0 {
		t.Errorf("pixels per colour %v: want both series drawn, no third", n)
	}

	mse := Series{X: []float64{2, 4, 8, 16, 32, 64}, Y: []float64{0.052, 0.041, 0.029, 0.017, 0.011, 0.008}}
	f, err = CurvesWith(CurveOptions{Title: "test MSE against code size", XLabel: "code size", YLabel: "test MSE", LogY: true}, mse)
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "curves_log.png")
	if n := countColours(decode(t, f)); n[0] < 100 {
		t.Errorf("log chart drew %d pixels of its colour", n[0])
	}
	// Y only: x counts from 1.
	if _, err := Curves("", "", "", Series{Y: []float64{3, 2, 1}}); err != nil {
		t.Error(err)
	}
	if _, err := Curves("nothing yet", "step", "loss"); err != nil {
		t.Error(err)
	}
}

func TestBars(t *testing.T) {
	f, err := Bars("classifier accuracy over 5 seeds", "test accuracy",
		Bar{"random init", 0.912, 0.011}, Bar{"pretrained encoder", 0.947, 0.004}, Bar{"frozen encoder", 0.89, 0.02})
	if err != nil {
		t.Fatal(err)
	}
	keep(t, f, "bars.png")
	if f.Width != chartW || f.Height != chartH {
		t.Fatalf("bars are %d×%d, want %d×%d", f.Width, f.Height, chartW, chartH)
	}
	n := countColours(decode(t, f))
	for k := range 3 {
		if n[k] < 2000 {
			t.Errorf("bar %d has %d pixels of its colour", k, n[k])
		}
	}
	if _, err := Bars("", "", Bar{"loss", -0.5, 0.1}, Bar{"zero", 0, 0}); err != nil {
		t.Errorf("negative bar: %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	codes, labels := scatterData(30)
	for _, tc := range []struct {
		name string
		fig  func() (*Figure, error)
	}{
		{"grid", func() (*Figure, error) { return Grid([][]float32{testDigit(t, 4)}, []string{"four"}, 1) }},
		{"scatter", func() (*Figure, error) { return Scatter(codes, labels, ScatterOptions{}) }},
		{"curves", func() (*Figure, error) { return Curves("t", "x", "y", Series{Name: "a", Y: []float64{1, 3, 2}}) }},
		{"bars", func() (*Figure, error) { return Bars("t", "y", Bar{"a", 1, 0.1}) }},
	} {
		a, err := tc.fig()
		if err != nil {
			t.Fatal(err)
		}
		b, err := tc.fig()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.PNG, b.PNG) {
			t.Errorf("%s: two renderings differ", tc.name)
		}
	}
}

func TestSave(t *testing.T) {
	f, err := Bars("", "", Bar{"a", 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bars.png")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("saved file does not decode: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if err := f.Save(filepath.Join(t.TempDir(), "missing", "x.png")); err == nil || !strings.Contains(err.Error(), "save figure") {
		t.Errorf("save into a missing directory: %v", err)
	}
	if err := (&Figure{}).Save(path); err == nil {
		t.Error("saving an empty figure succeeded")
	}
	(&Figure{}).Show() // no-op
	f.Show()           // no-op outside a notebook
}

func TestFigureErrors(t *testing.T) {
	good := make([]float32, Pixels)
	nan := make([]float32, Pixels)
	nan[5] = float32(math.NaN())
	for _, tc := range []struct {
		name string
		fig  func() (*Figure, error)
		want []string // substrings of the error
	}{
		{"grid no images", func() (*Figure, error) { return Grid(nil, nil, 3) }, []string{"no images"}},
		{"grid short image", func() (*Figure, error) { return Grid([][]float32{good, good[:100]}, nil, 3) }, []string{"image 1", "100 values", "784"}},
		{"grid nil image", func() (*Figure, error) { return Grid([][]float32{nil}, nil, 3) }, []string{"image 0", "0 values", "784"}},
		{"grid cols 0", func() (*Figure, error) { return Grid([][]float32{good}, nil, 0) }, []string{"cols=0"}},
		{"grid cols -1", func() (*Figure, error) { return Grid([][]float32{good}, nil, -1) }, []string{"cols=-1"}},
		{"grid titles", func() (*Figure, error) { return Grid([][]float32{good}, []string{"a", "b"}, 1) }, []string{"2 titles for 1 images"}},
		{"grid row labels", func() (*Figure, error) {
			return GridWith([][]float32{good, good}, GridOptions{Cols: 1, RowLabels: []string{"a"}})
		}, []string{"1 row labels for 2 rows"}},
		{"grid scale", func() (*Figure, error) { return GridWith([][]float32{good}, GridOptions{Cols: 1, Scale: 40}) }, []string{"scale=40", "1..16"}},
		{"digit line length", func() (*Figure, error) { return DigitLine(good[:783], "x") }, []string{"783 values", "784"}},
		{"digit line NaN", func() (*Figure, error) { return DigitLine(nan, "x") }, []string{"value 5", "finite"}},
		{"scatter lengths", func() (*Figure, error) { return Scatter(make([]float32, 5), []int{1, 2}, ScatterOptions{}) }, []string{"5 code values for 2 labels"}},
		{"scatter label 10", func() (*Figure, error) { return Scatter(make([]float32, 4), []int{1, 10}, ScatterOptions{}) }, []string{"label 1 is 10", "0..9"}},
		{"scatter label -1", func() (*Figure, error) { return Scatter(make([]float32, 2), []int{-1}, ScatterOptions{}) }, []string{"label 0 is -1"}},
		{"scatter NaN", func() (*Figure, error) {
			return Scatter([]float32{0, float32(math.NaN())}, []int{1}, ScatterOptions{})
		}, []string{"code 0", "finite"}},
		{"scatter bounds", func() (*Figure, error) {
			return Scatter(nil, nil, ScatterOptions{Bounds: [4]float64{1, -1, -1, 1}})
		}, []string{"xmin < xmax"}},
		{"curves lengths", func() (*Figure, error) {
			return Curves("", "", "", Series{Name: "train", X: []float64{1, 2}, Y: []float64{1}})
		}, []string{`"train"`, "2 x and 1 y"}},
		{"curves NaN", func() (*Figure, error) { return Curves("", "", "", Series{Y: []float64{1, math.NaN()}}) }, []string{"point 1", "finite"}},
		{"curves log zero", func() (*Figure, error) {
			return CurvesWith(CurveOptions{LogY: true}, Series{Y: []float64{1, 0}})
		}, []string{"log scale needs y > 0"}},
		{"bars none", func() (*Figure, error) { return Bars("", "") }, []string{"no bars"}},
		{"bars std", func() (*Figure, error) { return Bars("", "", Bar{"a", 1, -1}) }, []string{`bar 0 ("a")`, "std ≥ 0"}},
		{"bars inf", func() (*Figure, error) { return Bars("", "", Bar{"a", math.Inf(1), 0}) }, []string{"finite"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.fig()
			if err == nil {
				t.Fatalf("got a %d×%d figure, want an error", f.Width, f.Height)
			}
			if f != nil {
				t.Errorf("got a figure with the error %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "aelib: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func BenchmarkCurves(b *testing.B) {
	s := Series{Name: "train"}
	for i := range 500 {
		s.Y = append(s.Y, 1/float64(i+1))
	}
	for b.Loop() {
		if _, err := Curves("loss", "step", "loss", s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScatter10k(b *testing.B) {
	codes, labels := scatterData(1000)
	for b.Loop() {
		if _, err := Scatter(codes, labels, ScatterOptions{Bounds: [4]float64{-1, 1, -1, 1}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGrid20x20(b *testing.B) {
	imgs := make([][]float32, 400)
	titles := make([]string, 400)
	for i := range imgs {
		imgs[i] = testDigit(b, i)
		titles[i] = "(0.00,0.00)"
	}
	for b.Loop() {
		if _, err := Grid(imgs, titles, 20); err != nil {
			b.Fatal(err)
		}
	}
}

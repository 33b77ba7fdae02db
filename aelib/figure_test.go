package aelib

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
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
	sty := figText(figSansBold, 22, vgdraw.XCenter, vgdraw.YCenter)
	sty.Color = color.White
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
		if err := f.save(filepath.Join(d, name)); err != nil {
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
			for k, p := range palette {
				if c == p {
					n[k]++
				}
			}
		}
	}
	return n
}

// bounds returns the smallest rectangle holding every pixel of colour c.
func bounds(img image.Image, c color.RGBA) image.Rectangle {
	var r image.Rectangle
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if rgba(img, x, y) == c {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
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

// figCase is a figure to draw and, for a bad input, what its error says.
type figCase struct {
	name string
	fig  func() (*Figure, error)
	want []string // substrings of the error; nil when the figure must draw
}

// checkFigures draws each case: a good one must give a figure, a bad one
// an error and no figure.
func checkFigures(t *testing.T, cases []figCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.fig()
			if tc.want == nil {
				if err != nil || f == nil || len(f.PNG) == 0 {
					t.Fatalf("no figure: %v", err)
				}
				return
			}
			if err == nil || f != nil {
				t.Fatalf("got figure %v and error %v, want an error", f != nil, err)
			}
			if !strings.HasPrefix(err.Error(), "aelib: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	codes, labels := scatterData(30)
	for _, tc := range []figCase{
		{"grid", func() (*Figure, error) {
			return Grid([][]float32{testDigit(t, 4)}, GridOptions{Cols: 1, Titles: []string{"four"}})
		}, nil},
		{"scatter", func() (*Figure, error) { return Scatter(codes, labels, ScatterOptions{}) }, nil},
		{"curves", func() (*Figure, error) { return Curves(ChartOptions{}, Series{Name: "a", Y: []float64{1, 3, 2}}) }, nil},
		{"bars", func() (*Figure, error) { return Bars(ChartOptions{Title: "t", YLabel: "y"}, Bar{"a", 1, 0.1}) }, nil},
		{"loss", func() (*Figure, error) { return lossChart("t", "y", []float64{3, 2, 1}, 2, []float64{2}, nil) }, nil},
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
	f, err := Bars(ChartOptions{}, Bar{"a", 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bars.png")
	if err := f.save(path); err != nil {
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
	if err := f.save(filepath.Join(t.TempDir(), "missing", "x.png")); err == nil || !strings.Contains(err.Error(), "save figure") {
		t.Errorf("save into a missing directory: %v", err)
	}
	if err := (&Figure{}).save(path); err == nil || !strings.Contains(err.Error(), "invalid: it is empty") {
		t.Errorf("saving an empty figure: %v", err)
	}
	(&Figure{}).Show() // no-op
	f.Show()           // no-op outside a notebook
}

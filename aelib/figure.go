package aelib

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/janpfeifer/gonb/gonbui"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Figure is a rendered figure: PNG bytes and the image size in pixels.
type Figure struct {
	PNG           []byte
	Width, Height int
}

// Show displays the figure as an image/png output, which persists in saved notebooks; outside a notebook it does nothing.
func (f *Figure) Show() {
	if f != nil && len(f.PNG) > 0 {
		gonbui.DisplayPng(f.PNG)
		// Wait until GoNB has the image: a cell program that ends right after
		// sending it can lose it (a figure-only cell, on a busy machine).
		gonbui.Sync()
	}
}

// save writes the PNG to path atomically, so a reader never sees a partial image.
func (f *Figure) save(path string) error {
	if f == nil || len(f.PNG) == 0 {
		return errorf(nil, "figure for %s invalid: it is empty", path)
	}
	if err := writeAtomic(path, f.PNG); err != nil {
		return errorf(nil, "save figure %s: %w", path, err)
	}
	return nil
}

// palette colours the digit classes 0..9 in Scatter and successive series
// and bars: matplotlib's "tab10", so the figures match the reference lecture.
var palette = [10]color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0x7f, 0x7f, 0x7f, 0xff}, // grey
	{0xbc, 0xbd, 0x22, 0xff}, // olive
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

// Sizes of the figures, in pixels.
const (
	figDPI     = 96  // dots per inch of every figure
	chartW     = 700 // Curves, Bars and the loss chart
	chartH     = 420
	scatterW   = 700
	scatterH   = 640
	digitLineW = 760
	digitLineH = 300
	maxPixels  = 40 << 20
)

var (
	figSans     = font.Font{Typeface: "Liberation", Variant: "Sans"}
	figSansBold = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
	figFrame    = color.Gray{0xb0}
	figGridLine = color.Gray{0xe4}
)

// figPx converts pixels to vg lengths at figDPI.
func figPx(n float64) vg.Length { return vg.Length(n) * vg.Inch / figDPI }

// figDots converts a vg length to pixels at figDPI.
func figDots(l vg.Length) float64 { return l.Dots(figDPI) }

// figText returns a text style in font f of the given size in points,
// aligned by x and y.
func figText(f font.Font, size float64, x vgdraw.XAlignment, y vgdraw.YAlignment) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(f, vg.Points(size)),
		XAlign:  x,
		YAlign:  y,
		Handler: plot.DefaultTextHandler,
	}
}

// figCanvas returns a white canvas of w×h pixels.
func figCanvas(w, h int) *vgimg.Canvas {
	return vgimg.NewWith(vgimg.UseWH(figPx(float64(w)), figPx(float64(h))), vgimg.UseDPI(figDPI))
}

// figEncode encodes the canvas as a PNG figure, as a grey PNG when every
// pixel is grey (grids): a third of the size, three times faster.
func figEncode(c *vgimg.Canvas) (*Figure, error) {
	var img image.Image = c.Image()
	if g, ok := toGray(img); ok {
		img = g
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, errorf(nil, "encoding figure as PNG: %w", err)
	}
	b := img.Bounds()
	return &Figure{PNG: buf.Bytes(), Width: b.Dx(), Height: b.Dy()}, nil
}

// toGray returns img as a grey image if it is an opaque RGBA image whose
// pixels are all grey.
func toGray(img image.Image) (*image.Gray, bool) {
	m, ok := img.(*image.RGBA)
	if !ok {
		return nil, false
	}
	b := m.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]
		out := g.Pix[g.PixOffset(b.Min.X, y):]
		for x := 0; x < len(row); x += 4 {
			if row[x] != row[x+1] || row[x] != row[x+2] || row[x+3] != 0xff {
				return nil, false
			}
			out[x/4] = row[x]
		}
	}
	return g, true
}

// figPlot returns a plot styled like all aelib charts: sans-serif text,
// light grid lines behind the data, the legend at the top right.
func figPlot(title, xlabel, ylabel string) *plot.Plot {
	return figPlotGrid(title, xlabel, ylabel, true)
}

// figPlotGrid is figPlot with vertical grid lines only when vertical is set
// (bar charts have none: they would cross the bars' labels).
func figPlotGrid(title, xlabel, ylabel string, vertical bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle = figText(figSansBold, 13, vgdraw.XCenter, vgdraw.YTop)
	p.Title.Padding = figPx(10)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle = figText(figSans, 11, vgdraw.XCenter, vgdraw.YBottom)
		a.LineStyle.Color = figFrame
		a.Tick.LineStyle.Color = figFrame
	}
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	p.X.Tick.Label = figText(figSans, 9.5, vgdraw.XCenter, vgdraw.YTop)
	p.Y.Tick.Label = figText(figSans, 9.5, vgdraw.XRight, vgdraw.YCenter)
	p.Legend.TextStyle = figText(figSans, 10, vgdraw.XLeft, vgdraw.YBottom)
	p.Legend.Top = true
	p.Legend.ThumbnailWidth = figPx(28)
	p.Legend.XOffs, p.Legend.YOffs = -figPx(8), -figPx(4)
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = figGridLine, figGridLine
	if !vertical {
		g.Vertical.Color = nil
	}
	p.Add(g)
	return p
}

// figRender draws p on a chartW×chartH canvas with a margin and encodes
// it, or returns err, the error of building p.
func figRender(p *plot.Plot, err error) (*Figure, error) {
	if err != nil {
		return nil, err
	}
	c := figCanvas(chartW, chartH)
	m := figPx(12)
	p.Draw(vgdraw.Crop(vgdraw.New(c), m, -m-figPx(6), m, -m))
	return figEncode(c)
}

// figCatch turns a panic inside gonum/plot into an error, so that bad
// input never crashes a notebook.
func figCatch(what string, err *error) {
	if r := recover(); r != nil {
		*err = wrap(nil, what+": drawing failed", recovered(r))
	}
}

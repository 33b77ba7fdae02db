package aelib

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"

	"github.com/janpfeifer/gonb/gonbui"
	xfont "golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Figure is a rendered figure: PNG bytes and the image size in pixels.
//
// Every notebook ends its figure cells with Show, so the PNG is stored in
// the saved notebook; the tests call Save to check what students see.
type Figure struct {
	PNG           []byte
	Width, Height int
}

// Show displays the figure in the notebook as an image/png output, which
// persists in saved notebooks and their HTML exports. Outside a notebook
// (in go test, or a plain program) it does nothing.
func (f *Figure) Show() {
	if f == nil || len(f.PNG) == 0 {
		return
	}
	gonbui.DisplayPng(f.PNG)
}

// Save writes the PNG to path atomically: it writes a temporary file in the
// same directory and renames it, so a reader never sees a partial image.
// The notebooks use it to keep figures next to the results file.
func (f *Figure) Save(path string) error {
	if f == nil || len(f.PNG) == 0 {
		return fmt.Errorf("aelib: save figure %s: empty figure", path)
	}
	if err := writeAtomic(path, f.PNG); err != nil {
		return fmt.Errorf("aelib: save figure %s: %w", path, err)
	}
	return nil
}

// Palette is the colour of each digit class 0..9 in Scatter and of
// successive series in Curves and Bars: matplotlib's "tab10" colours, so
// the figures match the reference lecture.
var Palette = [10]color.RGBA{
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
	chartW     = 700 // width of Curves and Bars
	chartH     = 420 // height of Curves and Bars
	scatterW   = 700 // width of Scatter
	scatterH   = 640 // height of Scatter
	digitLineW = 760 // width of DigitLine
	digitLineH = 300 // height of DigitLine
	maxPixels  = 40 << 20
)

// DefaultScale is the number of screen pixels per MNIST pixel in Grid: a
// 28×28 digit becomes an 84×84 tile.
const DefaultScale = 3

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

// figText returns a text style in Liberation Sans of the given size in points.
func figText(f font.Font, size float64) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(f, vg.Points(size)),
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
		return nil, fmt.Errorf("aelib: encoding figure as PNG: %w", err)
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
// light grid lines behind the data.
func figPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle = figText(figSansBold, 13)
	p.Title.TextStyle.XAlign = vgdraw.XCenter
	p.Title.TextStyle.YAlign = vgdraw.YTop
	p.Title.Padding = figPx(10)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle = figText(figSans, 11)
		a.Label.TextStyle.XAlign = vgdraw.XCenter
		a.Tick.Label = figText(figSans, 9.5)
		a.LineStyle.Color = figFrame
		a.Tick.LineStyle.Color = figFrame
	}
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Y.Tick.Label.XAlign = vgdraw.XRight
	p.Y.Tick.Label.YAlign = vgdraw.YCenter
	p.X.Tick.Label.XAlign = vgdraw.XCenter
	p.X.Tick.Label.YAlign = vgdraw.YTop
	p.Legend.TextStyle = figText(figSans, 10)
	p.Legend.Top = true
	p.Legend.ThumbnailWidth = figPx(28)
	p.Legend.XOffs, p.Legend.YOffs = -figPx(8), -figPx(4)
	g := plotter.NewGrid()
	g.Vertical.Color = figGridLine
	g.Horizontal.Color = figGridLine
	p.Add(g)
	return p
}

// figRender draws p on a w×h canvas with a margin and encodes it.
func figRender(p *plot.Plot, w, h int) (*Figure, error) {
	c := figCanvas(w, h)
	m := figPx(12)
	p.Draw(vgdraw.Crop(vgdraw.New(c), m, -m-figPx(6), m, -m))
	return figEncode(c)
}

// figCatch turns a panic inside gonum/plot into an error, so that bad
// input never crashes a notebook.
func figCatch(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("aelib: %s: drawing failed: %v", what, r)
	}
}

// GridOptions configures GridWith.
type GridOptions struct {
	// Cols is the number of tiles per row; it must be positive.
	Cols int
	// Titles is nil, or one title per image, drawn above its tile.
	Titles []string
	// RowLabels is nil, or one label per row, drawn left of the row
	// (e.g. "original" and "reconstruction").
	RowLabels []string
	// Caption is drawn above the grid when not empty.
	Caption string
	// Scale is the tile size in screen pixels per MNIST pixel, 1..16;
	// 0 means DefaultScale.
	Scale int
}

// Grid draws 28×28 grey images (each Pixels values in [0,1], black to
// white; values outside are clipped) in rows of cols tiles, each with an
// optional title above it (titles is nil or has one entry per image).
// The notebooks use it for a few digits (01_flatten), originals over their
// reconstructions (02_autoencoder) and a grid of decoded codes titled
// "(x,y)" (the 2-D code notebook); see GridWith for row labels, a caption
// and the tile scale.
func Grid(images [][]float32, titles []string, cols int) (*Figure, error) {
	return GridWith(images, GridOptions{Cols: cols, Titles: titles})
}

// GridWith is Grid with all options: row labels such as "original" and
// "reconstruction" on the left, a caption on top and the tile scale.
//
// Layout, in pixels, with s the scale, t = 28·s the tile size: a margin of
// 10 on every side; the caption band; row labels; columns as wide as the
// widest of the tile and its titles, 6 apart; rows of title band plus tile,
// 8 apart.
func GridWith(images [][]float32, o GridOptions) (fig *Figure, err error) {
	defer figCatch("grid", &err)
	n := len(images)
	switch {
	case n == 0:
		return nil, errors.New("aelib: grid: no images")
	case o.Cols <= 0:
		return nil, fmt.Errorf("aelib: grid: cols=%d: need at least 1 column", o.Cols)
	case o.Titles != nil && len(o.Titles) != n:
		return nil, fmt.Errorf("aelib: grid: %d titles for %d images: give one title per image, or nil", len(o.Titles), n)
	case o.Scale < 0 || o.Scale > 16:
		return nil, fmt.Errorf("aelib: grid: scale=%d: valid are 1..16, or 0 for %d", o.Scale, DefaultScale)
	}
	for i, img := range images {
		if len(img) != Pixels {
			return nil, fmt.Errorf("aelib: grid: image %d has %d values: valid is %d (28×28)", i, len(img), Pixels)
		}
	}
	cols := min(o.Cols, n)
	rows := (n + cols - 1) / cols
	if o.RowLabels != nil && len(o.RowLabels) != rows {
		return nil, fmt.Errorf("aelib: grid: %d row labels for %d rows: give one per row, or nil", len(o.RowLabels), rows)
	}
	s := o.Scale
	if s == 0 {
		s = DefaultScale
	}
	l := gridLayout(n, cols, s, o)
	if l.w*l.h > maxPixels {
		return nil, fmt.Errorf("aelib: grid: %d×%d pixels is too large: use fewer images or a smaller scale", l.w, l.h)
	}
	c := figCanvas(l.w, l.h)
	dst := c.Image()
	for i, img := range images {
		x, y := l.tile(i)
		drawDigit(dst, img, x, y, s)
	}
	dc := vgdraw.New(c)
	H := float64(l.h)
	if o.Caption != "" {
		sty := l.capSty
		sty.XAlign, sty.YAlign = vgdraw.XCenter, vgdraw.YTop
		dc.FillText(sty, vg.Point{X: figPx(float64(l.w) / 2), Y: figPx(H - gridMargin)}, o.Caption)
	}
	for i, t := range o.Titles {
		if t == "" {
			continue
		}
		x, y := l.tile(i)
		sty := l.titleSty
		sty.XAlign, sty.YAlign = vgdraw.XCenter, vgdraw.YBottom
		base := float64(y) - 3
		dc.FillText(sty, vg.Point{X: figPx(float64(x) + float64(l.t)/2), Y: figPx(H - base)}, t)
	}
	for r, t := range o.RowLabels {
		_, y := l.tile(r * cols)
		sty := l.rowSty
		sty.XAlign, sty.YAlign = vgdraw.XRight, vgdraw.YCenter
		dc.FillText(sty, vg.Point{X: figPx(gridMargin + l.labelW - 12), Y: figPx(H - float64(y) - float64(l.t)/2)}, t)
	}
	return figEncode(c)
}

const (
	gridMargin = 10 // pixels around the grid
	gridGapX   = 6  // pixels between columns
	gridGapY   = 8  // pixels between rows
)

// gridGeom is the pixel layout of a Grid figure.
type gridGeom struct {
	w, h                     int
	t                        int // tile size
	cols                     int
	colW, titleH, capH       float64
	labelW                   float64
	titleSty, rowSty, capSty text.Style
}

// gridLayout computes the layout of n tiles of scale s in cols columns.
func gridLayout(n, cols, s int, o GridOptions) gridGeom {
	g := gridGeom{
		t:        28 * s,
		cols:     cols,
		titleSty: figText(figSans, 9),
		rowSty:   figText(figSans, 10.5),
		capSty:   figText(figSansBold, 12),
	}
	g.colW = float64(g.t)
	for _, t := range o.Titles {
		if t == "" {
			continue
		}
		g.colW = max(g.colW, math.Ceil(figDots(g.titleSty.Width(t)))+4)
		g.titleH = math.Ceil(figDots(g.titleSty.Height("(0"))) + 4
	}
	for _, t := range o.RowLabels {
		g.labelW = max(g.labelW, math.Ceil(figDots(g.rowSty.Width(t)))+16)
	}
	capW := 0.0
	if o.Caption != "" {
		g.capH = math.Ceil(figDots(g.capSty.Height(o.Caption))) + 8
		capW = math.Ceil(figDots(g.capSty.Width(o.Caption)))
	}
	rows := (n + cols - 1) / cols
	w := g.labelW + float64(cols)*g.colW + float64(cols-1)*gridGapX
	g.w = int(2*gridMargin + max(w, capW))
	g.h = int(2*gridMargin + g.capH + float64(rows)*(g.titleH+float64(g.t)) + float64(rows-1)*gridGapY)
	return g
}

// tile returns the top-left pixel of tile i.
func (g gridGeom) tile(i int) (x, y int) {
	r, k := i/g.cols, i%g.cols
	fx := gridMargin + g.labelW + float64(k)*(g.colW+gridGapX) + (g.colW-float64(g.t))/2
	fy := gridMargin + g.capH + float64(r)*(g.titleH+float64(g.t)+gridGapY) + g.titleH
	return int(fx), int(fy)
}

// drawDigit draws a 28×28 image with its top-left corner at (x0, y0), each
// pixel an s×s block, 0 black and 1 white.
func drawDigit(dst draw.Image, img []float32, x0, y0, s int) {
	rgba, fast := dst.(*image.RGBA)
	for i, v := range img {
		g := grey(v)
		x, y := x0+(i%28)*s, y0+(i/28)*s
		for dy := range s {
			if fast {
				o := rgba.PixOffset(x, y+dy)
				for dx := range s {
					copy(rgba.Pix[o+4*dx:], []uint8{g, g, g, 0xff})
				}
				continue
			}
			for dx := range s {
				dst.Set(x+dx, y+dy, color.Gray{g})
			}
		}
	}
}

// grey maps v in [0,1] to a grey level; values outside, and NaN, are clipped.
func grey(v float32) uint8 {
	switch {
	case !(v > 0): // also NaN
		return 0
	case v >= 1:
		return 255
	}
	return uint8(v*255 + 0.5)
}

// DigitLine draws one digit as an image beside its Pixels values drawn as
// a line (x: index 0..783, y: value), under a title. Light vertical lines
// mark the start of each image row (every 28 values): 01_flatten uses it
// to show that flattening turns a picture into a vector.
func DigitLine(img []float32, title string) (fig *Figure, err error) {
	defer figCatch("digit line", &err)
	if len(img) != Pixels {
		return nil, fmt.Errorf("aelib: digit line: image has %d values: valid is %d (28×28)", len(img), Pixels)
	}
	const s = 7 // 196×196 pixels
	c := figCanvas(digitLineW, digitLineH)
	dc := vgdraw.New(c)
	top := 16.0
	if title != "" {
		sty := figText(figSansBold, 13)
		sty.XAlign, sty.YAlign = vgdraw.XCenter, vgdraw.YTop
		dc.FillText(sty, vg.Point{X: figPx(digitLineW / 2), Y: figPx(digitLineH - 12)}, title)
		top = 44
	}
	y0 := int(top) + 8
	drawDigit(c.Image(), img, 24, y0, s)
	sty := figText(figSans, 10)
	sty.XAlign, sty.YAlign = vgdraw.XCenter, vgdraw.YTop
	dc.FillText(sty, vg.Point{X: figPx(24 + 14*s), Y: figPx(float64(digitLineH - y0 - 28*s - 8))}, "28×28 image")

	p := figPlot("", "pixel index (row by row, 28 per row)", "value")
	ys := make(plotter.XYs, len(img))
	lo, hi := 0.0, 1.0
	for i, v := range img {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("aelib: digit line: value %d is %v: need finite values", i, v)
		}
		ys[i] = plotter.XY{X: float64(i), Y: f}
		lo, hi = min(lo, f), max(hi, f)
	}
	line, err := plotter.NewLine(ys)
	if err != nil {
		return nil, fmt.Errorf("aelib: digit line: %w", err)
	}
	line.Color = Palette[0]
	line.Width = figPx(1.2)
	p.Add(line)
	p.X.Min, p.X.Max = 0, Pixels
	p.Y.Min, p.Y.Max = lo, hi
	p.X.Padding, p.Y.Padding = 0, figPx(4)
	p.X.Tick.Marker = rowTicks{}
	p.Y.Label.TextStyle.XAlign = vgdraw.XCenter
	x0 := figPx(24 + 28*s + 36)
	p.Draw(vgdraw.Crop(dc, x0, -figPx(20), figPx(10), -figPx(top)))
	return figEncode(c)
}

// rowTicks marks image rows on the pixel-index axis: a labelled tick every
// 7 rows (196 values) and a minor tick at each row start.
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
			t.Label = fmt.Sprint(i)
		}
		ts = append(ts, t)
	}
	return ts
}

// ScatterOptions configures Scatter.
type ScatterOptions struct {
	// Title is drawn above the plot.
	Title string
	// XLabel and YLabel name the axes; empty means "code[0]" and "code[1]".
	XLabel, YLabel string
	// Bounds are the axis limits xmin, xmax, ymin, ymax; all zero means
	// fit the data. The reference lecture uses [-1,1]²: {-1, 1, -1, 1}.
	// Points outside are not drawn.
	Bounds [4]float64
	// GlyphSize is the size of the digit glyphs in points; 0 means 8.
	GlyphSize float64
}

// Scatter draws 2-D codes (codes is row-major [N, 2]: x, y) with each point
// drawn as its digit label "0".."9" in the class colour from Palette, and a
// legend of the ten colours on the right. The 2-D code notebook uses it to show
// how the encoder arranges the test digits in a 2-D code space.
func Scatter(codes []float32, labels []int, o ScatterOptions) (fig *Figure, err error) {
	defer figCatch("scatter", &err)
	if len(codes) != 2*len(labels) {
		return nil, fmt.Errorf("aelib: scatter: %d code values for %d labels: need 2 values (x, y) per label", len(codes), len(labels))
	}
	b := o.Bounds
	fixed := b != [4]float64{}
	if fixed && !(b[0] < b[1] && b[2] < b[3]) {
		return nil, fmt.Errorf("aelib: scatter: bounds %v: need xmin < xmax and ymin < ymax", b)
	}
	for i, l := range labels {
		if l < 0 || l > 9 {
			return nil, fmt.Errorf("aelib: scatter: label %d is %d: valid are 0..9", i, l)
		}
	}
	pts := make(plotter.XYs, len(labels))
	for i := range pts {
		x, y := float64(codes[2*i]), float64(codes[2*i+1])
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			return nil, fmt.Errorf("aelib: scatter: code %d is (%v, %v): need finite values", i, x, y)
		}
		pts[i] = plotter.XY{X: x, Y: y}
	}
	xl, yl := o.XLabel, o.YLabel
	if xl == "" {
		xl = "code[0]"
	}
	if yl == "" {
		yl = "code[1]"
	}
	size := o.GlyphSize
	if size <= 0 {
		size = 8
	}
	p := figPlot(o.Title, xl, yl)
	c := figCanvas(scatterW, scatterH)
	dst, ok := c.Image().(*image.RGBA)
	if !ok {
		return nil, fmt.Errorf("aelib: scatter: canvas image is %T, not *image.RGBA", c.Image())
	}
	p.Add(&digitGlyphs{pts: pts, labels: labels, size: size, dst: dst, fit: !fixed})
	if fixed {
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = b[0], b[1], b[2], b[3]
		p.X.Padding, p.Y.Padding = 0, 0
	} else if len(pts) == 0 {
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -1, 1, -1, 1
	}
	dc := vgdraw.New(c)
	const legendW = 70
	m := figPx(12)
	p.Draw(vgdraw.Crop(dc, m, -m-figPx(legendW), m, -m))
	drawClassLegend(dc, scatterW-legendW, scatterH/2)
	return figEncode(c)
}

// digitGlyphs is a plotter that draws each point as its digit label,
// centred on the point, in the class colour. It paints pre-rendered glyph
// masks straight into the canvas image, 10 000 points in a few ms.
type digitGlyphs struct {
	pts    plotter.XYs
	labels []int
	size   float64     // font size in points
	dst    *image.RGBA // the canvas image
	fit    bool        // the axes fit the data: pad them for the glyphs
}

// GlyphBoxes implements plot.GlyphBoxer: when the axes fit the data, the
// glyphs of the outermost points must fit inside the axes.
func (g *digitGlyphs) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	if !g.fit || len(g.pts) == 0 {
		return nil
	}
	h := vg.Points(g.size) / 2
	r := vg.Rectangle{Min: vg.Point{X: -h, Y: -h}, Max: vg.Point{X: h, Y: h}}
	var ext [4]int // indices of min x, max x, min y, max y
	for i, xy := range g.pts {
		if xy.X < g.pts[ext[0]].X {
			ext[0] = i
		}
		if xy.X > g.pts[ext[1]].X {
			ext[1] = i
		}
		if xy.Y < g.pts[ext[2]].Y {
			ext[2] = i
		}
		if xy.Y > g.pts[ext[3]].Y {
			ext[3] = i
		}
	}
	bs := make([]plot.GlyphBox, len(ext))
	for j, i := range ext {
		bs[j] = plot.GlyphBox{X: p.X.Norm(g.pts[i].X), Y: p.Y.Norm(g.pts[i].Y), Rectangle: r}
	}
	return bs
}

// Plot implements plot.Plotter.
func (g *digitGlyphs) Plot(c vgdraw.Canvas, p *plot.Plot) {
	fnt := font.From(figSansBold, vg.Points(g.size))
	ff := font.DefaultCache.Lookup(fnt, fnt.Size)
	face := ff.FontFace(figDPI)
	defer face.Close()
	var masks [10]*image.Alpha
	for k, s := range digitNames {
		b, _ := xfont.BoundString(face, s)
		r := image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil())
		m := image.NewAlpha(image.Rect(0, 0, r.Dx(), r.Dy()))
		d := xfont.Drawer{Dst: m, Src: image.Opaque, Face: face, Dot: fixed.P(-r.Min.X, -r.Min.Y)}
		d.DrawString(s)
		masks[k] = m
	}
	var inks [10]*image.Uniform
	for k := range inks {
		inks[k] = image.NewUniform(Palette[k])
	}
	h := g.dst.Bounds().Dy()
	tx, ty := p.Transforms(&c)
	for i, xy := range g.pts {
		pt := vg.Point{X: tx(xy.X), Y: ty(xy.Y)}
		if !c.Contains(pt) {
			continue
		}
		k := g.labels[i]
		m := masks[k]
		x := int(math.Round(figDots(pt.X))) - m.Rect.Dx()/2
		y := h - int(math.Round(figDots(pt.Y))) - m.Rect.Dy()/2
		draw.DrawMask(g.dst, m.Rect.Add(image.Pt(x, y)), inks[k], image.Point{}, m, image.Point{}, draw.Over)
	}
}

// DataRange implements plot.DataRanger.
func (g *digitGlyphs) DataRange() (xmin, xmax, ymin, ymax float64) {
	if len(g.pts) == 0 {
		return -1, 1, -1, 1
	}
	return plotter.XYRange(g.pts)
}

var digitNames = [10]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// drawClassLegend draws the ten class colours as a column of swatches
// with their digit, starting at pixel x, centred on pixel height cy.
func drawClassLegend(dc vgdraw.Canvas, x, cy int) {
	const step = 24
	sty := figText(figSans, 11)
	sty.XAlign, sty.YAlign = vgdraw.XLeft, vgdraw.YCenter
	head := figText(figSansBold, 11)
	head.XAlign, head.YAlign = vgdraw.XLeft, vgdraw.YCenter
	top := float64(cy) + 5*step // vg y grows upwards
	dc.FillText(head, vg.Point{X: figPx(float64(x)), Y: figPx(top + step)}, "digit")
	for k := range 10 {
		y := top - float64(k)*step
		r := vg.Rectangle{
			Min: vg.Point{X: figPx(float64(x)), Y: figPx(y - 7)},
			Max: vg.Point{X: figPx(float64(x) + 14), Y: figPx(y + 7)},
		}
		dc.SetColor(Palette[k])
		dc.Fill(r.Path())
		dc.FillText(sty, vg.Point{X: figPx(float64(x) + 22), Y: figPx(y)}, digitNames[k])
	}
}

// Series is one line of a line chart: Y against X. X nil means 1, 2, …,
// len(Y) (epochs count from 1).
type Series struct {
	Name string
	X, Y []float64
}

// CurveOptions configures CurvesWith.
type CurveOptions struct {
	Title, XLabel, YLabel string
	// LogY draws the y axis on a log scale; all values must be positive.
	LogY bool
}

// Curves draws one or several series as lines in Palette colours, with a
// legend when there are several or they are named. The notebooks use it
// for loss curves of several runs and test MSE against code size.
func Curves(title, xlabel, ylabel string, series ...Series) (*Figure, error) {
	return CurvesWith(CurveOptions{Title: title, XLabel: xlabel, YLabel: ylabel}, series...)
}

// CurvesWith is Curves with options, such as a log-scale y axis for
// losses that fall over orders of magnitude.
func CurvesWith(o CurveOptions, series ...Series) (fig *Figure, err error) {
	defer figCatch("curves", &err)
	p, err := curvesPlot(o, series)
	if err != nil {
		return nil, err
	}
	return figRender(p, chartW, chartH)
}

// curvesPlot builds the plot of CurvesWith.
func curvesPlot(o CurveOptions, series []Series) (*plot.Plot, error) {
	p := figPlot(o.Title, o.XLabel, o.YLabel)
	if o.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	legend := len(series) > 1
	points := 0
	for k, s := range series {
		if s.X != nil && len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("aelib: curves: series %d (%q) has %d x and %d y values: need as many, or nil x", k, s.Name, len(s.X), len(s.Y))
		}
		xys := make(plotter.XYs, len(s.Y))
		for i, y := range s.Y {
			x := float64(i + 1)
			if s.X != nil {
				x = s.X[i]
			}
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
				return nil, fmt.Errorf("aelib: curves: series %d (%q) point %d is (%v, %v): need finite values", k, s.Name, i, x, y)
			}
			if o.LogY && y <= 0 {
				return nil, fmt.Errorf("aelib: curves: series %d (%q) point %d has y=%v: a log scale needs y > 0", k, s.Name, i, y)
			}
			xys[i] = plotter.XY{X: x, Y: y}
		}
		points += len(xys)
		if len(xys) == 0 {
			continue
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("aelib: curves: series %d (%q): %w", k, s.Name, err)
		}
		col := Palette[k%len(Palette)]
		line.Color = col
		line.Width = figPx(2)
		p.Add(line)
		thumbs := []plot.Thumbnailer{line}
		if len(xys) <= 25 {
			dots, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, fmt.Errorf("aelib: curves: series %d (%q): %w", k, s.Name, err)
			}
			dots.GlyphStyle = vgdraw.GlyphStyle{Color: col, Radius: figPx(3.5), Shape: vgdraw.CircleGlyph{}}
			p.Add(dots)
			thumbs = append(thumbs, dots)
		}
		if legend || s.Name != "" {
			p.Legend.Add(s.Name, thumbs...)
		}
	}
	if points == 0 {
		p.X.Min, p.X.Max = 0, 1
		p.Y.Min, p.Y.Max = 0, 1
		if o.LogY {
			p.Y.Min, p.Y.Max = 0.1, 1
		}
	}
	return p, nil
}

// Bar is one bar: a mean with its standard deviation drawn as an error bar.
type Bar struct {
	Label     string
	Mean, Std float64
}

// Bars draws bars of mean ± std with error bars and the numbers written
// above each bar. The pretraining notebook uses it to compare classifiers
// started from random weights and from a pretrained encoder over seeds.
func Bars(title, ylabel string, bars ...Bar) (fig *Figure, err error) {
	defer figCatch("bars", &err)
	if len(bars) == 0 {
		return nil, errors.New("aelib: bars: no bars")
	}
	p := figPlot(title, "", ylabel)
	p.X.Tick.LineStyle.Width = 0
	names := make([]string, len(bars))
	var ebs barErrs
	labels := plotter.XYLabels{}
	lo, hi := 0.0, 0.0
	w := figPx(min(120, 420/float64(len(bars))))
	for i, b := range bars {
		if math.IsNaN(b.Mean) || math.IsInf(b.Mean, 0) || math.IsNaN(b.Std) || math.IsInf(b.Std, 0) || b.Std < 0 {
			return nil, fmt.Errorf("aelib: bars: bar %d (%q) is %v ± %v: need a finite mean and std ≥ 0", i, b.Label, b.Mean, b.Std)
		}
		names[i] = b.Label
		bc, err := plotter.NewBarChart(plotter.Values{b.Mean}, w)
		if err != nil {
			return nil, fmt.Errorf("aelib: bars: bar %d (%q): %w", i, b.Label, err)
		}
		bc.XMin = float64(i)
		bc.Color = Palette[i%len(Palette)]
		bc.LineStyle.Width = 0
		p.Add(bc)
		ebs.XYs = append(ebs.XYs, plotter.XY{X: float64(i), Y: b.Mean})
		ebs.YErrors = append(ebs.YErrors, struct{ Low, High float64 }{b.Std, b.Std})
		top := b.Mean + b.Std
		if b.Mean < 0 {
			top = max(0, b.Mean+b.Std)
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: float64(i), Y: top})
		labels.Labels = append(labels.Labels, fmt.Sprintf("%.4g ± %.2g", b.Mean, b.Std))
		lo, hi = min(lo, b.Mean-b.Std), max(hi, b.Mean+b.Std)
	}
	eb, err := plotter.NewYErrorBars(ebs)
	if err != nil {
		return nil, fmt.Errorf("aelib: bars: %w", err)
	}
	eb.LineStyle.Width = figPx(1.5)
	eb.CapWidth = figPx(14)
	p.Add(eb)
	lab, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, fmt.Errorf("aelib: bars: %w", err)
	}
	for i := range lab.TextStyle {
		sty := figText(figSans, 10)
		sty.XAlign, sty.YAlign = vgdraw.XCenter, vgdraw.YBottom
		lab.TextStyle[i] = sty
	}
	lab.Offset = vg.Point{Y: figPx(6)}
	p.Add(lab)
	p.NominalX(names...)
	p.X.Tick.Label = figText(figSans, 11)
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = vgdraw.XCenter, vgdraw.YTop
	p.Y.Min, p.Y.Max = lo, hi
	if hi == lo {
		p.Y.Max = lo + 1
	}
	return figRender(p, chartW, chartH)
}

// barErrs holds the error bars of Bars.
type barErrs struct {
	plotter.XYs
	plotter.YErrors
}

// logTicks marks a log axis: labels at 1, 2 and 5 times powers of ten
// when the axis spans less than three decades, else at powers of ten
// only; unlabelled ticks at the other multiples.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0 && hi > lo) {
		return nil
	}
	dense := math.Log10(hi/lo) < 3
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, e)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || dense && (m == 2 || m == 5) {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

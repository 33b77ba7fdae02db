package aelib

import (
	"image"
	"image/draw"
	"math"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
)

// ScatterOptions configures Scatter.
type ScatterOptions struct {
	Title, XLabel, YLabel string
	Bounds                [4]float64 // xmin, xmax, ymin, ymax, points outside not drawn; all zero fits the data
}

// scatterGlyph is the size of Scatter's digit glyphs in points.
const scatterGlyph = 8

// Scatter draws 2-D codes (row-major [N, 2]: x, y) as their digit labels "0".."9" in class colours, with a legend.
func Scatter(codes []float32, labels []int, o ScatterOptions) (fig *Figure, err error) {
	defer figCatch("scatter", &err)
	if len(codes) != 2*len(labels) {
		return nil, errorf(ErrInvalid, "scatter code length %d invalid: must be %d (x, y for each of %d labels)", len(codes), 2*len(labels), len(labels))
	}
	b := o.Bounds
	fit := b == [4]float64{}
	if !fit && !(b[0] < b[1] && b[2] < b[3]) {
		return nil, errorf(ErrInvalid, "scatter bounds %v invalid: need xmin < xmax and ymin < ymax", b)
	}
	pts := make(plotter.XYs, len(labels))
	for i, l := range labels {
		if l < 0 || l > 9 {
			return nil, errorf(ErrInvalid, "scatter label %d of point %d invalid: must be 0..9", l, i)
		}
		x, y := float64(codes[2*i]), float64(codes[2*i+1])
		if !finite(x) || !finite(y) {
			return nil, errorf(ErrInvalid, "scatter code (%v, %v) of point %d invalid: must be finite", x, y, i)
		}
		pts[i] = plotter.XY{X: x, Y: y}
	}
	p := figPlot(o.Title, o.XLabel, o.YLabel)
	c := figCanvas(scatterW, scatterH)
	p.Add(&digitGlyphs{pts: pts, labels: labels, dst: c.Image().(*image.RGBA), fit: fit})
	p.X.Tick.Marker, p.Y.Tick.Marker = linTicks{max: 8}, linTicks{max: 8}
	if !fit {
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = b[0], b[1], b[2], b[3]
		p.X.Padding, p.Y.Padding = 0, 0
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
	dst    *image.RGBA // the canvas image
	fit    bool        // the axes fit the data: pad them for the glyphs
}

// GlyphBoxes implements plot.GlyphBoxer: when the axes fit the data, the
// glyphs of the outermost points must fit inside the axes.
func (g *digitGlyphs) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	if !g.fit {
		return nil
	}
	h := vg.Points(scatterGlyph) / 2
	bs := make([]plot.GlyphBox, len(g.pts))
	for i, xy := range g.pts {
		bs[i] = plot.GlyphBox{X: p.X.Norm(xy.X), Y: p.Y.Norm(xy.Y), Rectangle: vg.Rectangle{Min: vg.Point{X: -h, Y: -h}, Max: vg.Point{X: h, Y: h}}}
	}
	return bs
}

// Plot implements plot.Plotter.
func (g *digitGlyphs) Plot(c vgdraw.Canvas, p *plot.Plot) {
	fnt := font.From(figSansBold, vg.Points(scatterGlyph))
	ff := font.DefaultCache.Lookup(fnt, fnt.Size)
	face := ff.FontFace(figDPI)
	defer face.Close()
	var masks [10]*image.Alpha
	for k := range masks {
		s := digitNames[k]
		b, _ := xfont.BoundString(face, s)
		r := image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil())
		masks[k] = image.NewAlpha(image.Rect(0, 0, r.Dx(), r.Dy()))
		d := xfont.Drawer{Dst: masks[k], Src: image.Opaque, Face: face, Dot: fixed.P(-r.Min.X, -r.Min.Y)}
		d.DrawString(s)
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
		draw.DrawMask(g.dst, m.Rect.Add(image.Pt(x, y)), image.NewUniform(palette[k]), image.Point{}, m, image.Point{}, draw.Over)
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
	sty := figText(figSans, 11, vgdraw.XLeft, vgdraw.YCenter)
	top := float64(cy) + 5*step // vg y grows upwards
	dc.FillText(figText(figSansBold, 11, vgdraw.XLeft, vgdraw.YCenter), vg.Point{X: figPx(float64(x)), Y: figPx(top + step)}, "digit")
	for k := range 10 {
		y := top - float64(k)*step
		r := vg.Rectangle{
			Min: vg.Point{X: figPx(float64(x)), Y: figPx(y - 7)},
			Max: vg.Point{X: figPx(float64(x) + 14), Y: figPx(y + 7)},
		}
		dc.SetColor(palette[k])
		dc.Fill(r.Path())
		dc.FillText(sty, vg.Point{X: figPx(float64(x) + 22), Y: figPx(y)}, digitNames[k])
	}
}

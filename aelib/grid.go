package aelib

import (
	"image"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// GridOptions configures Grid.
type GridOptions struct {
	Cols      int      // tiles per row, at least 1
	Titles    []string // nil, or one title per image, drawn above its tile
	RowLabels []string // nil, or one label per row, drawn left of it (e.g. "input", "output")
	Caption   string   // drawn above the grid when not empty
	Scale     int      // screen pixels per MNIST pixel, 1..16; 0 means 3 (84×84 tiles)
}

// Grid draws 28×28 grey images (values in [0,1], black to white; others clipped) in rows of o.Cols tiles.
func Grid(images [][]float32, o GridOptions) (fig *Figure, err error) {
	defer figCatch("grid", &err)
	n := len(images)
	switch {
	case n == 0:
		return nil, errorf(ErrInvalid, "grid image count 0 invalid: need at least one image")
	case o.Cols <= 0:
		return nil, errorf(ErrInvalid, "grid columns %d invalid: must be at least 1", o.Cols)
	case o.Titles != nil && len(o.Titles) != n:
		return nil, errorf(ErrInvalid, "grid title count %d invalid: must be %d (one per image) or nil", len(o.Titles), n)
	case o.Scale < 0 || o.Scale > 16:
		return nil, errorf(ErrInvalid, "grid scale %d invalid: must be 1..16, or 0 for 3", o.Scale)
	}
	for i, img := range images {
		if len(img) != Pixels {
			return nil, errorf(ErrInvalid, "grid image %d length %d invalid: must be %d (28×28)", i, len(img), Pixels)
		}
	}
	l := gridLayout(n, o)
	if rows := (n + l.cols - 1) / l.cols; o.RowLabels != nil && len(o.RowLabels) != rows {
		return nil, errorf(ErrInvalid, "grid row label count %d invalid: must be %d (one per row) or nil", len(o.RowLabels), rows)
	}
	if l.w*l.h > maxPixels {
		return nil, errorf(ErrInvalid, "grid size %d×%d pixels invalid: must be at most %d megapixels: use fewer images or a smaller scale", l.w, l.h, maxPixels>>20)
	}
	c := figCanvas(l.w, l.h)
	for i, img := range images {
		x, y := l.tile(i)
		drawDigit(c.Image().(*image.RGBA), img, x, y, l.s)
	}
	l.drawText(c, o)
	return figEncode(c)
}

const (
	gridMargin = 10 // pixels around the grid
	gridGapX   = 6  // pixels between columns
	gridGapY   = 8  // pixels between rows
)

// gridGeom is the pixel layout of a Grid figure. With s the scale and t =
// 28·s the tile size: a margin of 10 on every side; the caption band; row
// labels; columns as wide as the widest of the tile and its titles, 6
// apart; rows of title band plus tile, 8 apart.
type gridGeom struct {
	w, h, s, t, cols         int
	colW, titleH, capH       float64
	labelW                   float64
	titleSty, rowSty, capSty text.Style
}

// gridLayout computes the layout of n tiles with the options o.
func gridLayout(n int, o GridOptions) gridGeom {
	g := gridGeom{
		s:        o.Scale,
		cols:     min(o.Cols, n),
		titleSty: figText(figSans, 9, vgdraw.XCenter, vgdraw.YBottom),
		rowSty:   figText(figSans, 10.5, vgdraw.XRight, vgdraw.YCenter),
		capSty:   figText(figSansBold, 12, vgdraw.XCenter, vgdraw.YTop),
	}
	if g.s == 0 {
		g.s = 3
	}
	g.t = 28 * g.s
	g.colW = float64(g.t)
	for _, t := range o.Titles {
		if t != "" {
			g.colW = max(g.colW, math.Ceil(figDots(g.titleSty.Width(t)))+4)
			g.titleH = math.Ceil(figDots(g.titleSty.Height("(0"))) + 4
		}
	}
	for _, t := range o.RowLabels {
		g.labelW = max(g.labelW, math.Ceil(figDots(g.rowSty.Width(t)))+16)
	}
	capW := 0.0
	if o.Caption != "" {
		g.capH = math.Ceil(figDots(g.capSty.Height(o.Caption))) + 8
		capW = math.Ceil(figDots(g.capSty.Width(o.Caption)))
	}
	rows := (n + g.cols - 1) / g.cols
	w := g.labelW + float64(g.cols)*g.colW + float64(g.cols-1)*gridGapX
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
func drawDigit(dst *image.RGBA, img []float32, x0, y0, s int) {
	for i, v := range img {
		g := grey(v)
		x, y := x0+(i%28)*s, y0+(i/28)*s
		for dy := range s {
			o := dst.PixOffset(x, y+dy)
			for dx := range s {
				copy(dst.Pix[o+4*dx:], []uint8{g, g, g, 0xff})
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

// DigitLine draws one digit as an image beside its 784 values drawn as a line, the row starts marked on the x axis.
func DigitLine(img []float32, title string) (fig *Figure, err error) {
	defer figCatch("digit line", &err)
	if len(img) != Pixels {
		return nil, errorf(ErrInvalid, "digit line image length %d invalid: must be %d (28×28)", len(img), Pixels)
	}
	const s = 7 // 196×196 pixels
	c := figCanvas(digitLineW, digitLineH)
	dc := vgdraw.New(c)
	top := 16.0
	if title != "" {
		dc.FillText(figText(figSansBold, 13, vgdraw.XCenter, vgdraw.YTop), vg.Point{X: figPx(digitLineW / 2), Y: figPx(digitLineH - 12)}, title)
		top = 44
	}
	y0 := int(top) + 8
	drawDigit(c.Image().(*image.RGBA), img, 24, y0, s)
	dc.FillText(figText(figSans, 10, vgdraw.XCenter, vgdraw.YTop),
		vg.Point{X: figPx(24 + 14*s), Y: figPx(float64(digitLineH - y0 - 28*s - 8))}, "28×28 image")

	p := figPlot("", "pixel index (row by row, 28 per row)", "value")
	xys := make(plotter.XYs, len(img))
	lo, hi := 0.0, 1.0
	for i, v := range img {
		f := float64(v)
		if !finite(f) {
			return nil, errorf(ErrInvalid, "digit line value %d (%v) invalid: must be finite", i, v)
		}
		xys[i] = plotter.XY{X: float64(i), Y: f}
		lo, hi = min(lo, f), max(hi, f)
	}
	p.Add(&plotter.Line{XYs: xys, LineStyle: vgdraw.LineStyle{Color: palette[0], Width: figPx(1.2)}})
	p.X.Min, p.X.Max = 0, Pixels
	p.Y.Min, p.Y.Max = lo, hi
	p.X.Padding, p.Y.Padding = 0, figPx(4)
	p.X.Tick.Marker = rowTicks{}
	p.Draw(vgdraw.Crop(dc, figPx(24+28*s+36), -figPx(20), figPx(10), -figPx(top)))
	return figEncode(c)
}

// drawText writes o's caption, tile titles and row labels on c, laid out by l.
func (l gridGeom) drawText(c *vgimg.Canvas, o GridOptions) {
	dc := vgdraw.New(c)
	at := func(x, y float64) vg.Point { return vg.Point{X: figPx(x), Y: figPx(float64(l.h) - y)} } // y from the top
	if o.Caption != "" {
		dc.FillText(l.capSty, at(float64(l.w)/2, gridMargin), o.Caption)
	}
	for i, t := range o.Titles {
		x, y := l.tile(i)
		dc.FillText(l.titleSty, at(float64(x)+float64(l.t)/2, float64(y)-3), t)
	}
	for r, t := range o.RowLabels {
		_, y := l.tile(r * l.cols)
		dc.FillText(l.rowSty, at(gridMargin+l.labelW-12, float64(y)+float64(l.t)/2), t)
	}
}

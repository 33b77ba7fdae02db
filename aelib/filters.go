package aelib

import (
	"image"
	"image/color"
	"math"
)

// filterScale is Filters' scale when GridOptions.Scale is 0: a 3×3 filter
// is drawn 36 pixels wide, a 5×5 one 60.
const filterScale = 12

// maxFilterScale is the largest scale Filters takes.
const maxFilterScale = 64

// Filters draws convolution filters, each size×size weights in row-major
// order, as tiles in rows of o.Cols: negative weights blue, zero white,
// positive red (matplotlib's tab10 blue and red), each filter scaled to its
// own largest absolute value, so the tiles show shapes, not strengths (a
// filter of zeros is white). A light grey frame marks each tile's edge.
// o.Titles, o.RowLabels and o.Caption work as in Grid; o.Scale is the
// screen pixels per filter weight, 1..64, and 0 means 12.
func Filters(weights [][]float32, size int, o GridOptions) (fig *Figure, err error) {
	defer figCatch("filters", &err)
	n := len(weights)
	switch {
	case n == 0:
		return nil, errorf(ErrInvalid, "filter count 0 invalid: need at least one filter")
	case size < 1:
		return nil, errorf(ErrInvalid, "filter size %d invalid: must be at least 1 (weights per side)", size)
	case o.Cols <= 0:
		return nil, errorf(ErrInvalid, "filters columns %d invalid: must be at least 1", o.Cols)
	case o.Titles != nil && len(o.Titles) != n:
		return nil, errorf(ErrInvalid, "filters title count %d invalid: must be %d (one per filter) or nil", len(o.Titles), n)
	case o.Scale < 0 || o.Scale > maxFilterScale:
		return nil, errorf(ErrInvalid, "filters scale %d invalid: must be 1..%d, or 0 for %d", o.Scale, maxFilterScale, filterScale)
	}
	for i, w := range weights {
		if len(w) != size*size {
			return nil, errorf(ErrInvalid, "filter %d length %d invalid: must be %d (%d×%d)", i, len(w), size*size, size, size)
		}
		for j, v := range w {
			if !finite(float64(v)) {
				return nil, errorf(ErrInvalid, "filter %d weight %d (%v) invalid: must be finite", i, j, v)
			}
		}
	}
	s := o.Scale
	if s == 0 {
		s = filterScale
	}
	if size > (1<<14)/s {
		return nil, errorf(ErrInvalid, "filters tile of %d×%d weights at scale %d invalid: must be at most %d pixels wide: use a smaller scale", size, size, s, 1<<14)
	}
	l := filterLayout(n, o, size*s)
	if rows := (n + l.cols - 1) / l.cols; o.RowLabels != nil && len(o.RowLabels) != rows {
		return nil, errorf(ErrInvalid, "filters row label count %d invalid: must be %d (one per row) or nil", len(o.RowLabels), rows)
	}
	if l.w*l.h > maxPixels {
		return nil, errorf(ErrInvalid, "filters size %d×%d pixels invalid: must be at most %d megapixels: use fewer filters or a smaller scale", l.w, l.h, maxPixels>>20)
	}
	c := figCanvas(l.w, l.h)
	dst := c.Image().(*image.RGBA)
	for i, w := range weights {
		x, y := l.tile(i)
		drawFilter(dst, w, size, x, y, s)
	}
	l.drawText(c, o)
	return figEncode(c)
}

// filterLayout is Grid's layout (gridLayout) of n tiles t pixels wide.
func filterLayout(n int, o GridOptions, t int) gridGeom {
	g := gridLayout(n, o) // text bands and styles; its tiles are 28·Scale pixels wide
	g.t, g.colW = t, float64(t)
	for _, title := range o.Titles {
		if title != "" {
			g.colW = max(g.colW, math.Ceil(figDots(g.titleSty.Width(title)))+4)
		}
	}
	capW := 0.0
	if o.Caption != "" {
		capW = math.Ceil(figDots(g.capSty.Width(o.Caption)))
	}
	rows := (n + g.cols - 1) / g.cols
	w := g.labelW + float64(g.cols)*g.colW + float64(g.cols-1)*gridGapX
	g.w = int(2*gridMargin + max(w, capW))
	g.h = int(2*gridMargin + g.capH + float64(rows)*(g.titleH+float64(t)) + float64(rows-1)*gridGapY)
	return g
}

// drawFilter draws a size×size filter with its top-left corner at (x0, y0),
// each weight an s×s block coloured by diverge, in a one-pixel frame.
func drawFilter(dst *image.RGBA, w []float32, size, x0, y0, s int) {
	var m float64
	for _, v := range w {
		m = max(m, math.Abs(float64(v)))
	}
	t := size * s
	frame := color.RGBA{figFrame.Y, figFrame.Y, figFrame.Y, 0xff}
	for i := -1; i <= t; i++ {
		dst.SetRGBA(x0+i, y0-1, frame)
		dst.SetRGBA(x0+i, y0+t, frame)
		dst.SetRGBA(x0-1, y0+i, frame)
		dst.SetRGBA(x0+t, y0+i, frame)
	}
	for i, v := range w {
		u := 0.0
		if m > 0 {
			u = float64(v) / m
		}
		c := diverge(u)
		x, y := x0+(i%size)*s, y0+(i/size)*s
		for dy := range s {
			for dx := range s {
				dst.SetRGBA(x+dx, y+dy, c)
			}
		}
	}
}

// diverge maps u in [-1, 1] to a colour: -1 palette blue, 0 white, 1
// palette red, linear in between; values outside are clipped.
func diverge(u float64) color.RGBA {
	c := palette[3] // red
	if u < 0 {
		c, u = palette[0], -u // blue
	}
	u = min(u, 1)
	f := func(v uint8) uint8 { return uint8(math.Round(255 + u*(float64(v)-255))) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), 0xff}
}

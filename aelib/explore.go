package aelib

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/png"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// Slider is one slider of Explore: its label and the values it steps through.
type Slider struct {
	Label  string    // e.g. "z₁"
	Values []float64 // shown beside the slider; one position each
	Start  int       // the index of the value shown first
}

// ExploreOptions configures Explore.
type ExploreOptions struct {
	Title  string
	Labels []string // one under each image of a frame, or nil
	Scale  int      // screen pixels per image pixel, 1..16; 0 means 4
}

// maxExplorePixels bounds the pixels Explore sends with the page (all frames).
const maxExplorePixels = 4 << 20

// Explore shows images chosen with sliders: frames[i] holds the images
// (784 pixels each, side by side) shown when the sliders' positions, read as
// one row-major index (the first slider varies slowest), equal i. Every frame
// is computed before and sent with the page, so a slider redraws at once,
// without the kernel: the cell has finished, the notebook runs on, and the
// explorer works in JupyterLab and in the notebook's HTML export. Where the
// page runs no script (nbconvert while executing, or a saved notebook
// JupyterLab does not trust) the start frame stays as a still image.
func Explore(frames [][][]float32, o ExploreOptions, sliders ...Slider) error {
	page, err := explorePage(frames, o, sliders, "aelib-explore-"+gonbui.UniqueId())
	if err != nil {
		return err
	}
	gonbui.DisplayHtml(page)
	gonbui.Sync() // before the cell ends: see Figure.Show
	return nil
}

// explorePage builds Explore's HTML: the start frame as a PNG, the sliders,
// and the script that redraws the image from the frames' pixels.
func explorePage(frames [][][]float32, o ExploreOptions, sliders []Slider, id string) (string, error) {
	if len(sliders) == 0 {
		return "", errorf(ErrInvalid, "explore: no slider: give at least one")
	}
	total, start := 1, 0
	for k, s := range sliders {
		if len(s.Values) < 2 || s.Start < 0 || s.Start >= len(s.Values) {
			return "", errorf(ErrInvalid, "explore: slider %d (%q) with %d values and start %d invalid: need at least 2 values and a start 0..%d",
				k, s.Label, len(s.Values), s.Start, max(0, len(s.Values)-1))
		}
		for _, v := range s.Values {
			if !finite(v) {
				return "", errorf(ErrInvalid, "explore: slider %d (%q) value %v invalid: must be finite", k, s.Label, v)
			}
		}
		total *= len(s.Values)
		start = start*len(s.Values) + s.Start
	}
	scale := o.Scale
	if scale == 0 {
		scale = 4
	}
	switch {
	case len(frames) != total:
		return "", errorf(ErrInvalid, "explore: %d frames invalid: the sliders' positions give %d", len(frames), total)
	case len(frames[0]) == 0:
		return "", errorf(ErrInvalid, "explore: frame 0 is empty: give at least one image per frame")
	case o.Labels != nil && len(o.Labels) != len(frames[0]):
		return "", errorf(ErrInvalid, "explore: %d labels invalid: must be %d (one per image of a frame) or nil", len(o.Labels), len(frames[0]))
	case scale < 1 || scale > 16:
		return "", errorf(ErrInvalid, "explore: scale %d invalid: must be 1..16, or 0 for 4", o.Scale)
	case total*len(frames[0])*Pixels > maxExplorePixels:
		return "", errorf(ErrInvalid, "explore: %d frames of %d images invalid: at most %d pixels in all: use fewer slider values",
			total, len(frames[0]), maxExplorePixels)
	}
	per := len(frames[0])
	data := make([]byte, 0, total*per*Pixels)
	for i, f := range frames {
		if len(f) != per {
			return "", errorf(ErrInvalid, "explore: frame %d has %d images, want %d like frame 0", i, len(f), per)
		}
		for j, img := range f {
			if len(img) != Pixels {
				return "", errorf(ErrInvalid, "explore: image %d of frame %d has %d values, want %d (28×28)", j, i, len(img), Pixels)
			}
			for _, v := range img {
				data = append(data, grey(v))
			}
		}
	}
	still, err := frameImage(data[start*per*Pixels:(start+1)*per*Pixels], per, scale)
	if err != nil {
		return "", err
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<div id="%s" class="aelib-explore" style="font-family: sans-serif; font-size: 13px">`, id)
	if o.Title != "" {
		fmt.Fprintf(&b, `<div style="font-weight: bold; font-size: 14px; margin-bottom: 6px">%s</div>`, html.EscapeString(o.Title))
	}
	fmt.Fprintf(&b, `<img src="data:image/png;base64,%s" width="%d" height="%d" alt="%s" style="image-rendering: pixelated">`,
		still, per*28*scale+(per-1)*exploreGap, 28*scale, html.EscapeString(o.Title))
	if o.Labels != nil {
		fmt.Fprintf(&b, `<div style="display: flex; gap: %dpx">`, exploreGap)
		for _, l := range o.Labels {
			fmt.Fprintf(&b, `<div style="width: %dpx; text-align: center">%s</div>`, 28*scale, html.EscapeString(l))
		}
		b.WriteString(`</div>`)
	}
	for k, s := range sliders {
		fmt.Fprintf(&b, `<div style="margin-top: 4px"><label>%s <input type="range" min="0" max="%d" value="%d" step="1" data-slider="%d" style="width: 240px; vertical-align: middle"> <span>%g</span></label></div>`,
			html.EscapeString(s.Label), len(s.Values)-1, s.Start, k, s.Values[s.Start])
	}
	b.WriteString(`</div>`)
	values := make([]string, len(sliders))
	for k, s := range sliders {
		values[k] = strings.Trim(strings.ReplaceAll(fmt.Sprint(s.Values), " ", ","), "[]")
	}
	fmt.Fprintf(&b, `<script>(function () {
  const root = document.getElementById(%q);
  if (!root || root.dataset.live) return;
  root.dataset.live = "1";
  const pixels = Uint8Array.from(atob(%q), c => c.charCodeAt(0));
  const values = [%s];
  const per = %d, scale = %d, gap = %d;
  const img = root.querySelector("img");
  const inputs = Array.from(root.querySelectorAll("input[type=range]"));
  const canvas = document.createElement("canvas");
  canvas.width = per * 28 * scale + (per - 1) * gap;
  canvas.height = 28 * scale;
  const ctx = canvas.getContext("2d");
  function draw() {
    let index = 0;
    inputs.forEach((input, k) => {
      index = index * values[k].length + Number(input.value);
      input.nextElementSibling.textContent = values[k][Number(input.value)];
    });
    const frame = ctx.createImageData(canvas.width, canvas.height);
    frame.data.fill(255);
    for (let j = 0; j < per; j++) {
      const base = (index * per + j) * 784, x0 = j * (28 * scale + gap);
      for (let y = 0; y < 28 * scale; y++) {
        for (let x = 0; x < 28 * scale; x++) {
          const v = pixels[base + Math.floor(y / scale) * 28 + Math.floor(x / scale)];
          const o = 4 * (y * canvas.width + x0 + x);
          frame.data[o] = frame.data[o + 1] = frame.data[o + 2] = v;
        }
      }
    }
    ctx.putImageData(frame, 0, 0);
    img.src = canvas.toDataURL();
  }
  inputs.forEach(input => input.addEventListener("input", draw));
})();</script>`, id, base64.StdEncoding.EncodeToString(data), jsArrays(values), per, scale, exploreGap)
	return b.String(), nil
}

// exploreGap is the white space between the images of a frame, in pixels.
const exploreGap = 8

// jsArrays writes comma-separated lists as JavaScript arrays: "[a],[b]".
func jsArrays(lists []string) string {
	out := make([]string, len(lists))
	for i, l := range lists {
		out[i] = "[" + l + "]"
	}
	return strings.Join(out, ",")
}

// frameImage draws one frame (its images' grey bytes, side by side, scaled,
// white between them) as a base64 PNG, as the script draws it.
func frameImage(grey []byte, per, scale int) (string, error) {
	w := per*28*scale + (per-1)*exploreGap
	img := image.NewGray(image.Rect(0, 0, w, 28*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for j := range per {
		x0 := j * (28*scale + exploreGap)
		for y := range 28 * scale {
			for x := range 28 * scale {
				img.Pix[y*img.Stride+x0+x] = grey[j*Pixels+(y/scale)*28+x/scale]
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", errorf(nil, "explore: encoding the start frame: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

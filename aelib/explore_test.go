package aelib

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"regexp"
	"strings"
	"testing"
)

// exploreFrames returns n frames of per images; image j of frame i is all (i+1)/n bright, image 0 of frame 0 has one
// white pixel at (row 3, column 5).
func exploreFrames(n, per int) [][][]float32 {
	frames := make([][][]float32, n)
	for i := range frames {
		for range per {
			img := make([]float32, Pixels)
			for p := range img {
				img[p] = float32(i) / float32(n)
			}
			frames[i] = append(frames[i], img)
		}
	}
	frames[0][0][3*28+5] = 1
	return frames
}

func TestExplorePage(t *testing.T) {
	two := []Slider{{Label: "z₁", Values: []float64{-1, 0, 1}, Start: 1}, {Label: "z₂", Values: []float64{-1, 1}}}
	page, err := explorePage(exploreFrames(6, 2), ExploreOptions{Title: "A <map>", Labels: []string{"a", "b"}, Scale: 2}, two, "x1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="x1"`, "A &lt;map&gt;", `max="2" value="1"`, `max="1" value="0"`, "<span>0</span>", "<span>-1</span>",
		"const values = [[-1,0,1],[-1,1]];", "const per = 2, scale = 2, gap = 8;", ">a</div>", ">b</div>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The still image is the start frame: index 1·2 + 0 = 2, both images 2/6 bright, scaled ×2 with a white gap.
	m := regexp.MustCompile(`data:image/png;base64,([^"]+)`).FindStringSubmatch(page)
	b, _ := base64.StdEncoding.DecodeString(m[1])
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if r := img.Bounds(); r.Dx() != 2*56+8 || r.Dy() != 56 {
		t.Fatalf("still image %v, want 120×56", r)
	}
	want := grey(2.0 / 6)
	for _, p := range [][2]int{{0, 0}, {55, 55}, {64, 10}, {119, 55}} {
		if g, _, _, _ := img.At(p[0], p[1]).RGBA(); uint8(g>>8) != want {
			t.Errorf("pixel %v = %d, want %d", p, g>>8, want)
		}
	}
	if g, _, _, _ := img.At(58, 20).RGBA(); g>>8 != 255 {
		t.Errorf("gap pixel = %d, want white", g>>8)
	}
	// The frames' pixels travel as bytes, frame after frame: frame 0 image 0 has its white pixel at 3·28+5.
	d := regexp.MustCompile(`atob\("([^"]+)"\)`).FindStringSubmatch(page)
	raw, _ := base64.StdEncoding.DecodeString(d[1])
	if len(raw) != 6*2*Pixels || raw[3*28+5] != 255 || raw[0] != 0 || raw[5*2*Pixels] != grey(5.0/6) {
		t.Errorf("pixel data: %d bytes, [89]=%d, [0]=%d", len(raw), raw[3*28+5], raw[0])
	}

	one := []Slider{{Label: "t", Values: []float64{0, 1}}}
	for _, tc := range []struct {
		name    string
		frames  [][][]float32
		o       ExploreOptions
		sliders []Slider
		want    string
	}{
		{"no slider", exploreFrames(2, 1), ExploreOptions{}, nil, "no slider"},
		{"one value", exploreFrames(1, 1), ExploreOptions{}, []Slider{{Label: "t", Values: []float64{0}}}, "need at least 2 values"},
		{"start", exploreFrames(2, 1), ExploreOptions{}, []Slider{{Label: "t", Values: []float64{0, 1}, Start: 2}}, "start 2 invalid"},
		{"nan", exploreFrames(2, 1), ExploreOptions{}, []Slider{{Label: "t", Values: []float64{0, nan()}}}, "must be finite"},
		{"frame count", exploreFrames(3, 1), ExploreOptions{}, one, "3 frames invalid: the sliders' positions give 2"},
		{"labels", exploreFrames(2, 1), ExploreOptions{Labels: []string{"a", "b"}}, one, "2 labels invalid"},
		{"scale", exploreFrames(2, 1), ExploreOptions{Scale: 17}, one, "scale 17 invalid"},
		{"ragged", [][][]float32{exploreFrames(1, 2)[0], exploreFrames(1, 1)[0]}, ExploreOptions{}, one, "frame 1 has 1 images, want 2"},
		{"short image", [][][]float32{{make([]float32, 10)}, {make([]float32, Pixels)}}, ExploreOptions{}, one, "image 0 of frame 0 has 10 values"},
		{"too big", make([][][]float32, 3000), ExploreOptions{}, []Slider{{Label: "t", Values: make([]float64, 3000)}}, "frame 0 is empty"},
	} {
		_, err := explorePage(tc.frames, tc.o, tc.sliders, "x")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
	big := exploreFrames(10, 600) // 10·600·784 pixels > 4 Mi
	if _, err := explorePage(big, ExploreOptions{}, []Slider{{Label: "t", Values: make([]float64, 10)}}, "x"); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("too many pixels: err %v", err)
	}
}

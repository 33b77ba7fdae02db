package aelib

// Flatten turns a C×H×W image (channels of rows of pixels) into one slice,
// channel after channel and, within a channel, row after row: the order of
// the lecture's slide, where a 2-channel 3×3 image holding 1..9 and 10..18
// becomes 1..18. All channels must have the same H rows of W values.
// Taught in 01_flatten.
func Flatten[T any](img [][][]T) ([]T, error) {
	if len(img) == 0 || len(img[0]) == 0 {
		return nil, errorf(ErrInvalid, "flatten: image is empty: want C×H×W with C, H, W ≥ 1")
	}
	h, w := len(img[0]), len(img[0][0])
	out := make([]T, 0, len(img)*h*w)
	for c, ch := range img {
		if len(ch) != h {
			return nil, errorf(ErrInvalid, "flatten: channel %d has %d rows, want %d like channel 0", c, len(ch), h)
		}
		for r, row := range ch {
			if len(row) != w {
				return nil, errorf(ErrInvalid, "flatten: channel %d row %d has %d values, want %d like row 0", c, r, len(row), w)
			}
			out = append(out, row...)
		}
	}
	return out, nil
}

// Unflatten is the inverse of Flatten: it cuts a slice of C·H·W values back
// into C channels of H rows of W values (copying them).
// Taught in 01_flatten.
func Unflatten[T any](flat []T, c, h, w int) ([][][]T, error) {
	if c < 1 || h < 1 || w < 1 {
		return nil, errorf(ErrInvalid, "unflatten: shape %d×%d×%d invalid: C, H and W must be ≥ 1", c, h, w)
	}
	if len(flat) != c*h*w {
		return nil, errorf(ErrInvalid, "unflatten: %d values cannot be %d×%d×%d: want %d values", len(flat), c, h, w, c*h*w)
	}
	img := make([][][]T, c)
	for i := range img {
		img[i] = make([][]T, h)
		for r := range img[i] {
			start := (i*h + r) * w
			img[i][r] = append([]T(nil), flat[start:start+w]...)
		}
	}
	return img, nil
}

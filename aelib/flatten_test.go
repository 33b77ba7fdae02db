package aelib

import (
	"fmt"
	"strings"
	"testing"
)

func TestFlatten(t *testing.T) {
	one := [][][]int{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}}
	two := [][][]int{{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, {{10, 11, 12}, {13, 14, 15}, {16, 17, 18}}}
	tests := []struct {
		name string
		img  [][][]int
		want int // the flat result is 1..want
	}{
		{"slide 1-channel 3x3", one, 9},
		{"slide 2-channel 3x3", two, 18},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flat, err := Flatten(tc.img)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range flat {
				if v != i+1 {
					t.Fatalf("Flatten = %v, want 1..%d", flat, tc.want)
				}
			}
			if len(flat) != tc.want {
				t.Fatalf("len = %d, want %d", len(flat), tc.want)
			}
			back, err := Unflatten(flat, len(tc.img), 3, 3)
			if err != nil || fmt.Sprint(back) != fmt.Sprint(tc.img) {
				t.Fatalf("Unflatten = %v, %v; want %v", back, err, tc.img)
			}
		})
	}
}

func TestFlattenErrors(t *testing.T) {
	tests := []struct {
		name    string
		img     [][][]float32
		wantErr string
	}{
		{"empty", nil, "empty"},
		{"ragged rows", [][][]float32{{{1, 2}, {3}}}, "row 1 has 1 values"},
		{"ragged channels", [][][]float32{{{1}, {2}}, {{3}}}, "channel 1 has 1 rows"},
	}
	for _, tc := range tests {
		if _, err := Flatten(tc.img); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	if _, err := Unflatten([]int{1, 2, 3}, 1, 2, 2); err == nil || !strings.Contains(err.Error(), "want 4 values") {
		t.Errorf("Unflatten wrong length: err = %v", err)
	}
	if _, err := Unflatten([]int{1}, 0, 1, 1); err == nil || !strings.Contains(err.Error(), "must be ≥ 1") {
		t.Errorf("Unflatten zero shape: err = %v", err)
	}
}

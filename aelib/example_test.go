package aelib_test

import (
	"fmt"

	"github.com/aelecture/autoencoder-go/aelib"
)

// The lecture's slide 9: a 2-channel 3×3 image, read channel after channel
// and row after row.
func ExampleFlatten() {
	img := [][][]int{
		{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
		{{10, 11, 12}, {13, 14, 15}, {16, 17, 18}},
	}
	flat, err := aelib.Flatten(img)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(flat)
	back, _ := aelib.Unflatten(flat, 2, 3, 3)
	fmt.Println(back[1][0])
	// Output:
	// [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18]
	// [10 11 12]
}

// A 3×3 grid of 2-D codes over [-1,1]², top row first, with the "(x,y)"
// titles of the decoded-grid figure.
func ExampleCodeGrid() {
	codes, titles, _ := aelib.CodeGrid(3, -1, 1)
	fmt.Println(codes[:6])
	fmt.Println(titles)
	// Output:
	// [-1 1 0 1 1 1]
	// [(-1,1) (0,1) (1,1) (-1,0) (0,0) (1,0) (-1,-1) (0,-1) (1,-1)]
}

// k-nearest neighbours in a 2-D code space: two clusters, and a query near
// each.
func ExampleKNNAccuracy() {
	ref := []float32{0, 0, 0.1, 0, 1, 1, 0.9, 1}
	refLabels := []int{3, 3, 8, 8}
	query := []float32{0.05, 0.1, 0.95, 0.9}
	acc, _ := aelib.KNNAccuracy(ref, refLabels, query, []int{3, 8}, 2, 1)
	fmt.Println(acc)
	// Output: 1
}

// A bad hyperparameter is an error that names the value and what is valid.
func ExampleConfig_Validate() {
	cfg := aelib.DefaultConfig()
	cfg.Batch = 0
	fmt.Println(cfg.Validate(60000))
	// Output: aelib: batch 0 invalid: must be 1..60000 (the number of training images)
}

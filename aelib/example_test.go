package aelib_test

import (
	"errors"
	"fmt"

	"github.com/gomlx/gomlx/core/graph"

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

// k-nearest neighbours in a 2-D code space: two clusters, and a query near
// each, classified by the vote of their 3 nearest reference codes.
func ExampleVote() {
	ref := []float32{0, 0, 0.1, 0, 0.2, 0.1, 1, 1, 0.9, 1, 1, 0.7}
	refLabels := []int{3, 3, 3, 8, 8, 8}
	query := []float32{0.05, 0.1, 0.96, 0.97}
	nb, _ := aelib.Nearest(ref, query, 2, 3)
	votes, _ := aelib.Vote(nb, refLabels)
	fmt.Println(nb, votes)
	// Output: [[0 1 2] [3 4 5]] [3 8]
}

// A notebook's settings cell, and what Train prints of them.
func ExampleConfig_String() {
	cfg := aelib.Config{Epochs: 20, Batch: 64, LR: 0.001, HalveAfter: 10, Seed: 42}
	fmt.Println(cfg)
	cfg.HalveAfter = 0
	fmt.Println(cfg)
	// Output:
	// epochs=20 batch=64 lr=0.001 (halved after epoch 10) seed=42
	// epochs=20 batch=64 lr=0.001 (never halved) seed=42
}

// A bad size is an error when the layers are declared, not a panic inside
// the graph; its kind is ErrInvalid.
func ExampleMLP() {
	_, err := aelib.MLP([]int{256, 0, 2}, graph.Tanh, graph.Tanh)
	fmt.Println(err)
	fmt.Println(errors.Is(err, aelib.ErrInvalid))
	// Output:
	// aelib: MLP size 0 (layer 1) invalid: sizes must be ≥ 1
	// true
}

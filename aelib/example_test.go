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

// A bad setting is an error that names the value and what is valid.
func ExampleConfig_Validate() {
	cfg := aelib.Config{Epochs: 20, Batch: 0, LR: 0.001, HalveAfter: 10, Seed: 42}
	fmt.Println(cfg.Validate(60000))
	cfg.Batch, cfg.LR = 64, 10
	fmt.Println(cfg.Validate(60000))
	// Output:
	// aelib: batch 0 invalid: must be 1..60000 (the number of training images)
	// aelib: lr 10 invalid: must be a number in (0, 1], e.g. 0.001
}

// A typo in an activation's name is an error when the layers are declared,
// not a panic inside the graph.
func ExampleMLP() {
	_, err := aelib.MLP([]int{256, 128, 64, 2}, "tahn", "tanh")
	fmt.Println(err)
	// Output: aelib: activation "tahn" invalid: must be one of tanh, relu, sigmoid, linear
}

package aelib_test

import (
	"fmt"

	"github.com/aelecture/autoencoder-go/aelib"
)

// Originals over their reconstructions, as in notebook 03.
func ExampleGridWith() {
	black, white := make([]float32, aelib.Pixels), make([]float32, aelib.Pixels)
	for i := range white {
		white[i] = 1
	}
	f, err := aelib.GridWith([][]float32{black, white, white, black}, aelib.GridOptions{
		Cols:      2,
		RowLabels: []string{"original", "reconstruction"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	f.Show() // displays the PNG in a notebook; nothing elsewhere
	fmt.Println(f.Width > 2*84, f.Height)
	// Output: true 196
}

func ExampleCurves() {
	f, err := aelib.Curves("reconstruction loss", "epoch", "MSE",
		aelib.Series{Name: "train", Y: []float64{0.09, 0.05, 0.03, 0.025}},
		aelib.Series{Name: "test", Y: []float64{0.10, 0.06, 0.035, 0.03}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Width, f.Height)
	// Output: 700 420
}

func ExampleGrid_error() {
	_, err := aelib.Grid([][]float32{make([]float32, 100)}, nil, 3)
	fmt.Println(err)
	// Output: aelib: grid: image 0 has 100 values: valid is 784 (28×28)
}

func ExampleLiveCurve() {
	c := aelib.NewLiveCurve("reconstruction loss", "train", "test")
	for step := range 100 {
		c.Add(0, float64(step), 1/float64(step+1))
		if step%10 == 0 {
			c.Add(1, float64(step), 1.2/float64(step+1))
		}
	}
	f := c.Done() // in a notebook: replaces the live view with a static PNG
	fmt.Println(f.Width, f.Height)
	// Output: 700 420
}

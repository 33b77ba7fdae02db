package aelib_test

import (
	"fmt"

	"github.com/aelecture/autoencoder-go/aelib"
)

// Originals over their reconstructions, as in notebook 03.
func ExampleGrid() {
	black, white := make([]float32, aelib.Pixels), make([]float32, aelib.Pixels)
	for i := range white {
		white[i] = 1
	}
	f, err := aelib.Grid([][]float32{black, white, white, black}, aelib.GridOptions{
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

func ExampleGrid_error() {
	_, err := aelib.Grid([][]float32{make([]float32, 100)}, aelib.GridOptions{Cols: 3})
	fmt.Println(err)
	// Output: aelib: grid image 0 length 100 invalid: must be 784 (28×28)
}

// Training loss of several runs, on a log scale, as in notebook 03.
func ExampleCurves() {
	f, err := aelib.Curves(aelib.ChartOptions{Title: "training loss per epoch", XLabel: "epoch", YLabel: "per-pixel MSE", LogY: true},
		aelib.Series{Name: "code 2", Y: []float64{0.09, 0.05, 0.045, 0.043}},
		aelib.Series{Name: "code 32", Y: []float64{0.06, 0.02, 0.012, 0.009}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Width, f.Height)
	// Output: 700 420
}

// One run per bar: the numbers alone, no error bars, as in notebook 04.
func ExampleBars() {
	f, err := aelib.Bars(aelib.ChartOptions{Title: "k-NN accuracy from a 2-D representation", YLabel: "accuracy"},
		aelib.Bar{Label: "autoencoder code", Mean: 0.72}, aelib.Bar{Label: "chance", Mean: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Width, f.Height)
	// Output: 700 420
}

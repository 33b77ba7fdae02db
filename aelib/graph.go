package aelib

import (
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

var (
	graphOnce sync.Once
	graphB    compute.Backend
	graphErr  error
)

// graphBackend is GoMLX's pure Go backend, created once, for graphs that are
// built only to be read (their shapes, their listing), never run: building
// one costs milliseconds there, where XLA would compile it.
func graphBackend() (compute.Backend, error) {
	graphOnce.Do(func() { graphB, graphErr = compute.NewWithConfig("go") })
	return graphB, graphErr
}

// buildForOne builds fn's graph once for a single image, on graphBackend:
// that creates the model's variables in store (their values are drawn later,
// on the backend that first runs the model) and gives the shapes; a panic
// while building becomes an error.
func buildForOne(store *model.Store, what string, fn func(*model.Scope, *graph.Node) *graph.Node) error {
	return runGraph(what, func() error {
		gb, err := graphBackend()
		if err != nil {
			return err
		}
		e, err := model.NewExec(gb, store, fn)
		if err != nil {
			return err
		}
		defer e.Finalize()
		_, err = e.Compile(shapes.Make(dtypes.Float32, 1, Pixels))
		return err
	})
}

// runGraph runs fn, which builds or runs a GoMLX graph, and returns its error
// or panic as an ErrBackend error of operation what, the cause kept.
func runGraph(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = wrap(ErrBackend, what, recovered(r))
		}
	}()
	return wrap(ErrBackend, what, fn())
}

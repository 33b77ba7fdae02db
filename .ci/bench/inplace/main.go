// Command inplace is the minimal reproduction of where GoMLX + XLA loses time
// to JAX on a training step (docs/performance.md, "Where GoMLX + XLA loses
// time to JAX"): a step that only updates one variable, w ← w + 1, on the XLA
// backend. GoMLX donates the variable's buffer to the step, but the compiled
// program declares no input-output alias, so XLA writes the result into a new
// buffer every step and frees the old one. JAX's jit(donate_argnums=…) marks
// the parameter as aliased to the output (tf.aliasing_output in the
// StableHLO), and XLA updates it in place: the same buffer after every step.
//
// Run from the repository root (make xla first):
//
//	go run ./.ci/bench/inplace
//
// It prints, for several variable sizes, the time per step and how many of
// the steps left w in a different buffer than they found it (its address, read
// through the CPU plugin's shared buffers).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	_ "github.com/gomlx/gomlx/backends/default"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

func main() {
	plugin, _ := filepath.Abs(".xla/pjrt_c_api_cpu_plugin.so")
	cfg := "xla:" + plugin
	if _, err := os.Stat(plugin); err != nil {
		cfg = "xla:cpu"
	}
	b, err := compute.NewWithConfig(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "inplace: no XLA backend:", err)
		os.Exit(1)
	}
	if !b.HasSharedBuffers() {
		fmt.Fprintln(os.Stderr, "inplace: the backend has no shared buffers: cannot read a buffer's address")
		os.Exit(1)
	}
	fmt.Println("backend:", b.Description())
	fmt.Println("variable size   µs/step   steps that left w in a new buffer")
	for _, mib := range []int{1, 4, 16} {
		store := model.NewStore()
		w := store.RootScope().VariableWithShape("w", shapes.Make(dtypes.Float32, mib<<20/4))
		exec, err := model.NewExec(b, store, func(scope *model.Scope, one *graph.Node) *graph.Node {
			v := w.ValueGraph(one)
			w.SetValueGraph(graph.Add(v, one))
			return graph.ReduceAllMax(graph.Slice(v, graph.AxisRange(0, 1)))
		})
		must(err)
		step := func() {
			out, err := exec.Call1(float32(1))
			must(err)
			must(out.FinalizeAll())
		}
		// address is where w's values are stored now.
		address := func() uintptr {
			t, err := w.Value()
			must(err)
			buf, err := t.Buffer(b, 0)
			must(err)
			flat, err := buf.Data()
			must(err)
			return uintptr(unsafe.Pointer(&flat.([]float32)[0]))
		}
		for range 10 { // warm-up, compilation included
			step()
		}
		const steps = 200
		var elapsed time.Duration
		moved := 0
		for range steps {
			before := address()
			t0 := time.Now()
			step()
			elapsed += time.Since(t0)
			if address() != before {
				moved++
			}
		}
		fmt.Printf("%7d MiB  %9.0f  %d of %d\n", mib, float64(elapsed.Microseconds())/steps, moved, steps)
		exec.Finalize()
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// Command inplace is the minimal reproduction of where GoMLX + XLA loses time
// to JAX on a training step (docs/performance.md, "Where the time goes"): a
// step that only updates one variable, w ← w + 1, on the XLA backend. GoMLX
// donates the variable's buffer to the step, but the compiled program declares
// no input-output alias, so XLA writes the result into a new buffer every
// step and frees the old one. With glibc's default malloc settings each new
// buffer above the mmap threshold is fresh memory: one page fault per 4 KiB.
// JAX's jit(donate_argnums=…) marks the parameter as aliased to the output
// (tf.aliasing_output in the StableHLO), and XLA updates it in place.
//
// Run from the repository root (make xla first):
//
//	go run ./.ci/bench/inplace
//
// It prints, for several variable sizes, the time per step and the minor page
// faults per step (getrusage), with glibc's defaults; aelib's keepFreedMemory
// hides most of the faults but not the copy into a new buffer.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

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
	fmt.Println("backend:", b.Description())
	fmt.Println("variable size   µs/step   page faults/step   (a 4 KiB page per fault; size/4 KiB = a fresh buffer each step)")
	for _, mib := range []int{1, 4, 16} {
		n := mib << 20 / 4
		store := model.NewStore()
		w := store.RootScope().VariableWithShape("w", shapes.Make(dtypes.Float32, n))
		exec, err := model.NewExec(b, store, func(scope *model.Scope, one *graph.Node) *graph.Node {
			v := w.ValueGraph(one)
			w.SetValueGraph(graph.Add(v, one))
			return graph.ReduceAllMax(graph.Slice(v, graph.AxisRange(0, 1)))
		})
		if err != nil {
			panic(err)
		}
		const steps = 200
		for i := range steps + 10 { // 10 warm-up steps, compilation included
			if i == 10 {
				faults0, t0 := minorFaults(), time.Now()
				for range steps {
					out, err := exec.Call1(float32(1))
					if err != nil {
						panic(err)
					}
					out.FinalizeAll()
				}
				dt := time.Since(t0)
				fmt.Printf("%7d MiB  %9.0f  %17.0f   (%d pages)\n", mib, float64(dt.Microseconds())/steps,
					float64(minorFaults()-faults0)/steps, mib<<20/4096)
				break
			}
			out, err := exec.Call1(float32(1))
			if err != nil {
				panic(err)
			}
			out.FinalizeAll()
		}
		exec.Finalize()
	}
}

// minorFaults is the process's minor page faults so far.
func minorFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return ru.Minflt
}

package aelib

import (
	"fmt"
	"os"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// stepsPerCall is how many training steps one call of the compiled step runs
// on XLA, in a loop inside the executable (graph.While), when the "loop"
// setting is on (see Backend): the call's fixed costs (the host's call, the
// loss read back, fresh buffers for the weights and Adam's state) are paid
// once per stepsPerCall steps. Measured by `make bench` against one step per
// call (docs/performance.md). The losses come back all at once; the live
// chart redraws at most once a second anyway.
const stepsPerCall = 32

// loopSteps returns how many steps one call of the training step runs on
// backend b: stepsPerCall on XLA when $AELIB_TUNE keeps "loop", else 1
// (GoMLX's Go backend lacks the loop's DynamicSlice).
func loopSteps(b compute.Backend) (int, error) {
	t, err := tuningFrom(os.Getenv(tuneEnv))
	if err != nil {
		return 0, err
	}
	if !t.loop || b == nil || shortName(b) != "xla" {
		return 1, nil
	}
	return stepsPerCall, nil
}

// compileLoop returns the executable that runs up to k steps of step in one
// call: it takes all the training images [N, 784], their labels [N], the
// indices of k batches [k, B, 1] and how many of them to run (an int32
// scalar, 1..k), and returns the k losses [k] (those not run are 0). It
// builds step once on graphBackend first, so that every variable the step
// uses (the optimizer's too) exists and becomes loop state.
func (m *Model) compileLoop(step Step) (*model.Exec, error) {
	var exec *model.Exec
	err := runGraph("training "+m.Name, func() error {
		used, conv, err := stepVariables(m.Store, step)
		if err != nil || conv {
			return err // a convolution: one step per call (see stepsPerCall)
		}
		exec, err = model.NewExec(m.Backend, m.Store, func(scope *model.Scope, all, allLabels, idx, count *graph.Node) *graph.Node {
			m.Store.SetTraining(all.Graph(), true)
			return whileSteps(scope, used, step, all, allLabels, idx, count)
		})
		return err
	})
	return exec, err
}

// stepVariables returns the variables step reads or writes (weights, the
// optimizer's moments and counters, learning rates, the random state), and
// whether step has a convolution, creating the variables that do not exist
// yet by building step's graph once for one image on graphBackend: no
// compilation, and no values drawn (that happens when the model first runs,
// as without the loop).
func stepVariables(store *model.Store, step Step) ([]*model.Variable, bool, error) {
	gb, err := graphBackend()
	if err != nil {
		return nil, false, err
	}
	e, err := model.NewExec(gb, store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		store.SetTraining(x.Graph(), true)
		return step(scope, x, graph.Const(x.Graph(), []int32{0}))
	})
	if err != nil {
		return nil, false, err
	}
	defer e.Finalize()
	g, err := e.Compile(shapes.Make(dtypes.Float32, 1, Pixels))
	if err != nil {
		return nil, false, err
	}
	var used []*model.Variable
	for v := range store.IterVariables() {
		if v.InUseByGraph(g) {
			used = append(used, v)
		}
	}
	conv := false
	for _, n := range g.Nodes() {
		conv = conv || n.Type() == graph.NodeTypeConvGeneral
	}
	return used, conv, nil
}

// whileSteps builds count (≤ k, idx's first dimension) steps of step as a
// graph.While whose state is (counter, count, the k losses, every variable
// in used), and returns the losses. Each variable's value in the loop's body
// is a parameter of the body, and the body returns its value after the step;
// after the loop, each variable the step changed gets the loop's result. The
// losses and the final weights are those of count single steps, bit for bit.
//
// What GoMLX v0.28.8 on XLA (go-xla v0.4.5) allows shapes it:
//   - The body reads the images, labels and indices of the main function
//     directly (Gather and DynamicSlice accept them), but element-wise
//     operations in a closure reject operands of the main function ("cannot
//     add operation Multiply to function "closure1", because the operands
//     are not part of the function"): the variables and count are loop
//     state.
//   - Nothing is built in the main function before or after the loop but
//     constants of the initial state: go-xla caches reduction closures per
//     builder, and GoMLX caches scalar constants per graph, so a reduction or
//     graph.Scalar there would be reused, wrongly, inside the body.
//   - The body's parameters are not named after the variables, whose names
//     the main function's parameters already have (XLA: "redefinition of SSA
//     value").
func whileSteps(scope *model.Scope, used []*model.Variable, step Step, all, allLabels, idx, count *graph.Node) *graph.Node {
	g := all.Graph()
	k, batch := idx.Shape().Dimensions[0], idx.Shape().Dimensions[1]
	before := make([]*graph.Node, len(used))
	state := []*graph.Node{graph.Const(g, int32(0)), count, graph.Const(g, make([]float32, k))}
	const fixed = 3 // counter, count, losses; then the variables
	for i, v := range used {
		before[i] = v.NodeValue(g)
		state = append(state, before[i])
	}
	params := func(g *graph.Graph) []*graph.Node {
		ps := make([]*graph.Node, len(state))
		for i, s := range state {
			ps[i] = graph.Parameter(g, fmt.Sprintf("loop_state_%d", i), s.Shape())
		}
		return ps
	}
	cond := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		ps := params(g)
		return []*graph.Node{graph.LessThan(ps[0], ps[1])}
	})
	changed := make([]bool, len(used))
	body := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		ps := params(g)
		counter, losses := ps[0], ps[2]
		for i, v := range used {
			v.SetNodeValue(ps[fixed+i])
		}
		zero := graph.Const(g, int32(0))
		ix := graph.Reshape(graph.DynamicSlice(idx, []*graph.Node{counter, zero, zero}, []int{1, batch, 1}), batch, 1)
		loss := step(scope, graph.Gather(all, ix), graph.Gather(allLabels, ix))
		if !loss.Shape().IsScalar() {
			panic(fmt.Errorf("the step returned a loss of shape %s: it must return a scalar", loss.Shape()))
		}
		out := []*graph.Node{
			graph.Add(counter, graph.Const(g, int32(1))),
			ps[1],
			graph.DynamicUpdateSlice(losses, graph.Reshape(graph.ConvertDType(loss, dtypes.Float32), 1), []*graph.Node{counter}),
		}
		for i, v := range used {
			out = append(out, v.NodeValue(g))
			changed[i] = out[len(out)-1] != ps[fixed+i]
		}
		return out
	})
	res := graph.While(cond, body, state...)
	for i, v := range used {
		if changed[i] {
			v.SetNodeValue(res[fixed+i])
		} else {
			v.SetNodeValue(before[i]) // model.Exec sees it unchanged
		}
	}
	return res[2]
}

package aelib

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// noisyStep is an autoencoder step that draws random numbers (the input
// corrupted by Gaussian noise, as 06's denoising step): the random state is
// loop state too.
func noisyStep(ae *AE) Step {
	return func(scope *model.Scope, x, _ *graph.Node) *graph.Node {
		noisy := graph.Add(x, graph.MulScalar(scope.Store().RandomNormal(x.Graph(), x.Shape()), 0.3))
		y := ae.Decoder(scope.In("decoder"), ae.Encoder(scope.In("encoder"), noisy))
		loss := graph.ReduceAllMean(graph.Square(graph.Sub(y, x)))
		optimizer.Adam().Done().UpdateGraph(scope, x.Graph(), loss)
		return loss
	}
}

// TestStepLoop: on XLA, training with several steps per call (the "loop"
// setting) gives the losses and weights of one step per call bit for bit,
// for an autoencoder, a classifier that reads the labels and creates its
// weights in the step, and a step that draws random numbers; an epoch whose
// full batches are not a multiple of the loop's steps, and a last smaller
// batch, included.
func TestStepLoop(t *testing.T) {
	if _, err := Backend(); err != nil || BackendName() != "xla" {
		t.Skipf("needs XLA (backend %s): the Go backend runs one step per call", BackendName())
	}
	train, _ := digits(t, 32*(stepsPerCall+3)+7, 0) // 35 full batches of 32 and one of 7
	cfg := quiet(2)
	for _, tc := range []struct {
		name string
		make func(t *testing.T) (*Model, Step)
	}{
		{"autoencoder", func(t *testing.T) (*Model, Step) { ae := smallAE(t, "loop"); return ae.Model, ae.Step }},
		{"classifier", func(t *testing.T) (*Model, Step) { return newClassifier(t), classifierStep }},
		{"random", func(t *testing.T) (*Model, Step) { ae := smallAE(t, "noisy"); return ae.Model, noisyStep(ae) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(tune string) (*History, map[string][]float32) {
				t.Setenv(tuneEnv, tune)
				m, step := tc.make(t)
				h, err := m.Train(train, nil, cfg, step)
				if err != nil {
					t.Fatal(err)
				}
				return h, weights(t, m)
			}
			one, w1 := run("ynn,malloc,devices") // everything but the loop
			loop, wk := run("")
			if one.StepsPerCall != 1 || loop.StepsPerCall != stepsPerCall {
				t.Fatalf("steps per call %d and %d, want 1 and %d", one.StepsPerCall, loop.StepsPerCall, stepsPerCall)
			}
			if loop.FirstCallSteps != stepsPerCall || one.FirstCallSteps != 1 {
				t.Errorf("first call ran %d and %d steps, want %d and 1", loop.FirstCallSteps, one.FirstCallSteps, stepsPerCall)
			}
			if len(loop.Steps) != 2*36 || !slices.Equal(one.Steps, loop.Steps) {
				t.Errorf("losses differ: %d steps\none per call %v\nloop         %v", len(loop.Steps), one.Steps[:4], loop.Steps[:4])
			}
			if !sameWeights(w1, wk) {
				t.Error("the weights after training differ")
			}
		})
	}
}

// TestStepLoopLine: the training line says how many steps a call runs, and
// AELIB_TUNE=0 runs one.
func TestStepLoopLine(t *testing.T) {
	if _, err := Backend(); err != nil || BackendName() != "xla" {
		t.Skipf("needs XLA (backend %s)", BackendName())
	}
	train, _ := digits(t, 100, 0)
	for _, tc := range []struct{ tune, want string }{{"", ", 32 steps per call\n"}, {"0", "backend xla\n"}} {
		t.Setenv(tuneEnv, tc.tune)
		ae := smallAE(t, "line")
		cfg := quiet(1)
		cfg.Quiet = false
		out := outputOf(t, func() {
			if _, err := ae.Train(train, nil, cfg, ae.Step); err != nil {
				t.Fatal(err)
			}
		})
		if first, _, _ := strings.Cut(out, "\n"); !strings.HasSuffix(first+"\n", tc.want) {
			t.Errorf("AELIB_TUNE=%q: first line %q, want it to end with %q", tc.tune, first, tc.want)
		}
	}
}

func TestLoopSteps(t *testing.T) {
	gb, err := graphBackend()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(tuneEnv, "")
	if k, err := loopSteps(gb); err != nil || k != 1 {
		t.Errorf("Go backend: %d steps per call, %v; want 1", k, err)
	}
	t.Setenv(tuneEnv, "loop,avx")
	if _, err := loopSteps(gb); err == nil || !strings.Contains(err.Error(), `"loop,avx"`) {
		t.Errorf("bad AELIB_TUNE: error %v, want one naming the value", err)
	}
}

// TestStepVariablesConv: a step with a convolution is found (it runs one step
// per call), an MLP step is not.
func TestStepVariablesConv(t *testing.T) {
	convStep := func(scope *model.Scope, x, _ *graph.Node) *graph.Node {
		img := graph.Reshape(x, x.Shape().Dimensions[0], 28, 28, 1)
		y := layers.Convolution(scope.In("conv"), img).Filters(2).KernelSize(3).Done()
		loss := graph.ReduceAllMean(graph.Square(y))
		optimizer.Adam().Done().UpdateGraph(scope, x.Graph(), loss)
		return loss
	}
	for _, tc := range []struct {
		name string
		step Step
		conv bool
	}{{"mlp", nil, false}, {"conv", convStep, true}} {
		m, err := NewModel(tc.name, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if tc.name == "mlp" {
			ae := smallAE(t, "mlp")
			m, tc.step = ae.Model, ae.Step
		}
		used, conv, err := stepVariables(m.Store, tc.step)
		if err != nil || conv != tc.conv || len(used) == 0 {
			t.Errorf("%s: %d variables, convolution %v, %v; want some, %v", tc.name, len(used), conv, err, tc.conv)
		}
	}
}

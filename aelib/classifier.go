package aelib

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// Classifier is an encoder followed by a head that gives one logit per class
// (softmax cross-entropy). Notebook 05 uses it for slide 4: pretrain an
// autoencoder on 10,000 unlabelled digits, copy its encoder here with
// InitEncoder, then train on only 100 labelled digits — against the same
// classifier trained from random weights.
//
// Set Head, Classes and Freeze before the first Fit; weights are created on
// first use and drawn from Config.Seed by the first Fit (encoder weights
// copied with InitEncoder are kept).
type Classifier struct {
	Name    string
	Encoder Layer // runs in scope "encoder", like an AE's, so weights can be copied
	Head    Layer // runs in scope "head"; nil means one Dense layer to Classes logits
	Classes int   // number of classes, 10 for digits
	Freeze  bool  // Fit leaves the encoder's weights as they are and trains only the head
	Backend compute.Backend
	Store   *model.Store
	History *History // of the last Fit

	built, fresh, copied bool
	logitsExec           *model.Exec
}

// NewClassifier returns a classifier of 10 digit classes over encoder, with
// a one-layer linear head.
func NewClassifier(backend compute.Backend, name string, encoder Layer) (*Classifier, error) {
	if backend == nil {
		return nil, fmt.Errorf("aelib: NewClassifier(%q): backend is nil: get one with aelib.Backend()", name)
	}
	if encoder == nil {
		return nil, fmt.Errorf("aelib: NewClassifier(%q): encoder is nil", name)
	}
	return &Classifier{Name: name, Encoder: encoder, Classes: 10, Backend: backend, Store: model.NewStore(), fresh: true}, nil
}

// head returns the head layer, the default one if Head is nil.
func (c *Classifier) head() (Layer, error) {
	if c.Head != nil {
		return c.Head, nil
	}
	return MLP([]int{c.Classes}, "linear", "linear")
}

// forward is the classifier's graph: images [N,784] → logits [N,Classes].
func (c *Classifier) forward(scope *model.Scope, x *graph.Node) *graph.Node {
	head, err := c.head()
	if err != nil {
		panic(err)
	}
	return head(scope.In("head"), c.Encoder(scope.In("encoder"), x))
}

// build creates the variables and checks the output shape, once.
func (c *Classifier) build() error {
	if c.built {
		return nil
	}
	if c.Classes < 2 {
		return fmt.Errorf("aelib: classifier %q: classes %d invalid: must be ≥ 2", c.Name, c.Classes)
	}
	var out shapes.Shape
	err := buildForOne(c.Backend, c.Store, "building classifier "+c.Name, func(scope *model.Scope, x *graph.Node) *graph.Node {
		y := c.forward(scope, x)
		out = y.Shape()
		return y
	})
	if err != nil {
		return err
	}
	if !out.Equal(shapes.Make(dtypes.Float32, 1, c.Classes)) {
		return fmt.Errorf("aelib: classifier %q gives shape %s for one image: want [1, %d] logits", c.Name, out, c.Classes)
	}
	c.built = true
	return nil
}

// NumParams counts the numbers in the encoder's and head's variables.
func (c *Classifier) NumParams() int {
	if c.build() != nil {
		return 0
	}
	return scopeParams(c.Store, "/encoder") + scopeParams(c.Store, "/head")
}

// InitEncoder copies the encoder weights of a (trained) autoencoder: every
// variable of its scope "encoder". The classifier's encoder must have the
// same shapes.
func (c *Classifier) InitEncoder(ae *AE) error {
	if err := ae.ready(); err != nil {
		return err
	}
	n := 0
	err := safely("copying the encoder of "+ae.Name, func() error {
		for v := range ae.Store.IterVariables() {
			if !strings.HasPrefix(v.Path(), "/encoder/") {
				continue
			}
			t, err := v.Value()
			if err != nil {
				return err
			}
			flat, err := tensors.CopyFlatData[float32](t)
			if err != nil {
				return err
			}
			nt := tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...)
			if mine := c.Store.GetVariable(v.Path()); mine != nil {
				if !mine.Shape().Equal(v.Shape()) {
					return fmt.Errorf("variable %s has shape %s here but %s in %s", v.Path(), mine.Shape(), v.Shape(), ae.Name)
				}
				if err := mine.SetValue(nt); err != nil {
					return err
				}
			} else if _, err := c.Store.CreateVariable(v.Path(), nt); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return fmt.Errorf("it has no variables in scope \"encoder\"")
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := c.build(); err != nil { // checks the shapes fit this classifier's encoder
		return err
	}
	if got := modelVarsUnder(c.Store, "/encoder/"); got != n {
		return fmt.Errorf("aelib: classifier %q: its encoder has %d variables, %s's has %d: the encoders differ", c.Name, got, ae.Name, n)
	}
	c.copied = true
	return nil
}

func modelVarsUnder(store *model.Store, prefix string) int {
	n := 0
	for v := range store.IterVariables() {
		if strings.HasPrefix(v.Path(), prefix) {
			n++
		}
	}
	return n
}

// ready builds the classifier and initialises missing weights from DefaultSeed.
func (c *Classifier) ready() error {
	if err := c.build(); err != nil {
		return err
	}
	return initVariables(c.Backend, c.Store, DefaultSeed)
}

// Fit trains the classifier on train's images and labels with Adam on the
// mean softmax cross-entropy, batches and schedule as for AE.Fit (cfg.Noise
// is ignored). With Freeze only the head learns. History.Epoch holds the
// mean cross-entropy of each epoch.
func (c *Classifier) Fit(train *Digits, cfg Config) (*History, error) {
	train, cfg, err := prepare(train, cfg)
	if err != nil {
		return nil, err
	}
	for i, l := range train.Labels {
		if l < 0 || l >= c.Classes {
			return nil, fmt.Errorf("aelib: label %d of image %d invalid: must be 0..%d", l, i, c.Classes-1)
		}
	}
	if err := c.build(); err != nil {
		return nil, err
	}
	if c.fresh {
		reset := []string{"/head/"}
		if !c.copied {
			reset = append(reset, "/encoder/")
		}
		if err := initVariables(c.Backend, c.Store, cfg.Seed, reset...); err != nil {
			return nil, err
		}
	}
	opt := optimizer.Adam().LearningRate(cfg.LR).Epsilon(1e-8).Done()
	step := func(scope *model.Scope, in []*graph.Node) *graph.Node {
		data, labels, idx := in[0], in[1], in[2]
		g := data.Graph()
		c.Store.SetTraining(g, true)
		x := graph.Gather(data, idx)
		y := graph.Gather(labels, idx)
		logits := c.forward(scope, x)
		for v := range c.Store.IterVariables() {
			if strings.HasPrefix(v.Path(), "/encoder/") {
				v.SetTrainable(!c.Freeze)
			}
		}
		l := graph.ReduceAllMean(loss.SparseCategoricalCrossEntropyLogits([]*graph.Node{y}, []*graph.Node{logits}))
		opt.UpdateGraph(scope, g, l)
		return l
	}
	what := fmt.Sprintf("train classifier %s", c.Name)
	if c.Freeze {
		what += " (encoder frozen)"
	}
	h, err := fitLoop(what, "cross-entropy", c.Backend, c.Store, train, train.Labels, cfg, step)
	c.fresh = false
	if err != nil {
		return nil, err
	}
	c.History = h
	return h, nil
}

// Logits returns the classifier's scores for images x (N·784 values),
// row-major [N, Classes].
func (c *Classifier) Logits(x []float32) ([]float32, error) {
	if err := checkImages(x); err != nil {
		return nil, err
	}
	if err := c.ready(); err != nil {
		return nil, err
	}
	if c.logitsExec == nil {
		var err error
		c.logitsExec, err = model.NewExec(c.Backend, c.Store, c.forward)
		if err != nil {
			return nil, err
		}
	}
	return runBatches(c.logitsExec, x, Pixels, c.Classes, "classifying")
}

// Predict returns the most likely class of each image in x (N·784 values).
func (c *Classifier) Predict(x []float32) ([]int, error) {
	logits, err := c.Logits(x)
	if err != nil {
		return nil, err
	}
	pred := make([]int, len(logits)/c.Classes)
	for i := range pred {
		row := logits[i*c.Classes : (i+1)*c.Classes]
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		pred[i] = best
	}
	return pred, nil
}

// Accuracy is the fraction of d's images whose predicted class is their label.
func (c *Classifier) Accuracy(d *Digits) (float64, error) {
	if err := checkDigits(d); err != nil {
		return 0, err
	}
	pred, err := c.Predict(d.X)
	if err != nil {
		return 0, err
	}
	right := 0
	for i, p := range pred {
		if p == d.Labels[i] {
			right++
		}
	}
	return float64(right) / float64(len(pred)), nil
}

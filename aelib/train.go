package aelib

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/janpfeifer/gonb/gonbui"
)

// Step is one training step, written by the notebook that teaches it: from
// a batch of images [B, 784] and their labels [B] (int32), it computes the
// loss, adds the update of the weights to the graph (an optimizer's
// UpdateGraph) and returns the loss, a scalar. Train runs it once per batch.
// The scope is the model's root scope.
type Step func(scope *model.Scope, images, labels *graph.Node) *graph.Node

// Model is what Train trains and a checkpoint saves: named weights in a
// GoMLX store, on a backend. AE embeds one; a notebook can make its own
// (a classifier) with NewModel.
type Model struct {
	Name      string // names its checkpoints, e.g. "reference"
	Title     string // names it in words on charts, e.g. "the 2-D autoencoder"
	LossLabel string // names what its training step returns on charts, e.g. "per-pixel MSE"
	Backend   compute.Backend
	Store     *model.Store
	// TestError, if set, measures the model on held-out digits; Train calls
	// it after every epoch for the loss chart. AE sets it to its MSE.
	TestError func(*Digits) (float64, error)
	History   *History // of the last Train, or loaded with a checkpoint

	fresh bool            // weights never trained nor loaded
	kept  map[string]bool // variables CopyWeights set: the first Train keeps them
	exec  *model.Exec     // the step TrainFresh compiled, run by its later calls
	steps *stepLoop       // and its step loop, or nil
}

// NewModel returns an empty model on the notebooks' backend (see Backend).
func NewModel(name, title, lossLabel string) (*Model, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errorf(ErrInvalid, "model name empty: give it a name, e.g. \"reference\"")
	}
	backend, err := Backend()
	if err != nil {
		return nil, err
	}
	return &Model{Name: name, Title: title, LossLabel: lossLabel, Backend: backend, Store: model.NewStore(), fresh: true}, nil
}

// prepare checks the step, the digits and the settings, then applies
// AELIB_QUICK (quickRun). It returns the data and settings to use.
func (m *Model) prepare(train, test *Digits, cfg Config, step Step) (*Digits, *Digits, Config, error) {
	if err := checkDigits(train); err != nil {
		return nil, nil, cfg, err
	}
	if test != nil {
		if err := checkDigits(test); err != nil {
			return nil, nil, cfg, err
		}
	}
	if err := cfg.validate(train.Len()); err != nil {
		return nil, nil, cfg, err
	}
	if step == nil {
		return nil, nil, cfg, errorf(ErrInvalid, "train %s: step is nil: pass the notebook's training step", m.Name)
	}
	train, test, cfg = quickRun(train, test, cfg)
	return train, test, cfg, nil
}

// Train runs step over the training digits: cfg.Epochs epochs, each visiting
// the images in a new order drawn from cfg.Seed, in batches of cfg.Batch (the
// last, smaller batch is kept, like PyTorch's DataLoader: 938 batches for
// 60,000 images), with the learning rate of the epoch (cfg.LR, halved after
// cfg.HalveAfter). When test is not nil and the model has a TestError, it is
// measured after every epoch.
//
// On a model never trained nor loaded, Train first draws all weights from
// cfg.Seed, so equal seeds give equal runs on one backend; otherwise it
// continues from the current weights. It prints the settings, one line per
// epoch and, inside a notebook, a loss chart that updates while it runs and
// stays as a figure. Under AELIB_QUICK=1 it trains at most quickEpochs
// epochs on the first quickImages images, and says so.
//
// Why not GoMLX's train.Loop: the training images go to the backend once
// and each step sends only the batch's indices (the batch is gathered in
// the graph), and the step is the notebook's own code, not a model and loss
// function handed to a trainer.
func (m *Model) Train(train, test *Digits, cfg Config, step Step) (*History, error) {
	train, test, cfg, err := m.prepare(train, test, cfg, step)
	if err != nil {
		return nil, err
	}
	return m.train(train, test, cfg, step)
}

// train is Train after prepare.
func (m *Model) train(train, test *Digits, cfg Config, step Step) (*History, error) {
	if m.fresh {
		if err := initVariables(m.Backend, m.Store, cfg.Seed, func(path string) bool { return !m.kept[path] }); err != nil {
			return nil, err
		}
	}
	exec, err := m.compile(step)
	if err != nil {
		return nil, err
	}
	defer exec.Finalize()
	lp, err := m.compileSteps(step)
	if err != nil {
		return nil, err
	}
	defer lp.finalize()
	return m.run(exec, lp, train, test, cfg)
}

// stepLoop is the executable that runs k steps per call (compileLoop), or
// nil: one step per call.
type stepLoop struct {
	exec *model.Exec
	k    int
}

// compileSteps returns the step loop of step when loopSteps allows more than
// one step per call on m's backend, else nil.
func (m *Model) compileSteps(step Step) (*stepLoop, error) {
	k, err := loopSteps(m.Backend)
	if err != nil || k <= 1 {
		return nil, err
	}
	exec, err := m.compileLoop(step)
	if err != nil || exec == nil {
		return nil, err
	}
	return &stepLoop{exec: exec, k: k}, nil
}

// finalize frees the step loop's executable; a nil loop has none.
func (lp *stepLoop) finalize() {
	if lp != nil && lp.exec != nil {
		lp.exec.Finalize()
	}
}

// TrainFresh trains m from fresh weights, as Train trains a new model, and can
// be called again and again: a sweep over seeds trains one model per kind this
// way (07_pretraining's sweep). Each call draws all the weights again from
// cfg.Seed (models with the same weights get the same draws), then puts back
// those CopyWeights copied since the last call, and starts the optimizer's
// state (Adam's moments and step count) from zero; learning rates the step
// keeps in its own variables stay as they are. Only the first call compiles
// step, which on XLA takes longer than a short training; later calls run that
// compiled step, so pass the same step each time.
func (m *Model) TrainFresh(train, test *Digits, cfg Config, step Step) (*History, error) {
	train, test, cfg, err := m.prepare(train, test, cfg, step)
	if err != nil {
		return nil, err
	}
	if m.exec == nil {
		exec, err := m.compile(step)
		if err != nil {
			return nil, err
		}
		// Build the step's graph now, so that its variables exist and are all
		// drawn below, in the order the step creates them.
		err = runGraph("training "+m.Name, func() error {
			_, err := exec.Compile(shapes.Make(dtypes.Float32, train.Len(), Pixels), shapes.Make(dtypes.Int32, train.Len()),
				shapes.Make(dtypes.Int32, cfg.Batch, 1))
			return err
		})
		if err != nil {
			exec.Finalize()
			return nil, err
		}
		m.exec = exec
		if m.steps, err = m.compileSteps(step); err != nil {
			return nil, err
		}
	}
	if err := m.restart(cfg.Seed); err != nil {
		return nil, err
	}
	return m.run(m.exec, m.steps, train, test, cfg)
}

// chartTitle is the title of the model's loss chart.
func (m *Model) chartTitle() string {
	name := m.Title
	if name == "" {
		name = m.Name
	}
	return "Training " + name
}

// shortName is a backend's name in one lower-case word, e.g. "go" or "xla".
func shortName(b compute.Backend) string {
	f := strings.Fields(b.Name())
	if len(f) == 0 {
		return "unknown"
	}
	return strings.ToLower(strings.TrimRight(f[0], ":"))
}

// TrainOrLoad trains the model like Train, or, when a checkpoint of the
// same model, training images and settings exists, loads it instead
// (seconds rather than minutes) and shows its saved loss chart. The
// checkpoint's name covers what the model computes (see fingerprints): after an
// edit of the model's code it trains anew and says that the code changed.
// cfg.Retrain forces training. After training it saves the checkpoint,
// History included. A checkpoint that is truncated or corrupted is reported
// and replaced by a new training. Taught in 02_autoencoder.
func (m *Model) TrainOrLoad(train, test *Digits, cfg Config, step Step) (*History, error) {
	train, test, cfg, err := m.prepare(train, test, cfg, step)
	if err != nil {
		return nil, err
	}
	code, settings, err := m.fingerprints(train, cfg, step)
	if err != nil {
		return nil, err
	}
	path, err := checkpointPath(m.Name, code, settings)
	if err != nil {
		return nil, err
	}
	show := displayPath(path)
	if cfg.Retrain {
		printf("training %s (retrain requested; will replace %s)\n", m.Name, show)
	} else {
		hd, err := m.load(path)
		if err == nil {
			printf("loaded checkpoint %s (trained %s on %s, %s)\n", show,
				hd.Created.Format("2006-01-02 15:04"), backendOf(hd.History), describeHistory(hd.History))
			if gonbui.IsNotebook && !cfg.NoCurve && m.History != nil {
				if fig, err := m.History.curve(m.chartTitle() + " (loaded from its checkpoint)"); err == nil {
					fig.Show()
				}
			}
			return m.History, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			printf("training %s: %s\n", m.Name, whyNoCheckpoint(path, m.Name, code, settings))
		} else {
			printf("training %s again: %v\n", m.Name, err)
		}
	}
	h, err := m.train(train, test, cfg, step)
	if err != nil {
		return nil, err
	}
	if err := m.save(path, code, settings); err != nil {
		printf("warning: %v (the trained model is still in memory)\n", err)
	} else {
		printf("saved checkpoint %s\n", show)
	}
	return h, nil
}

// whyNoCheckpoint says why no checkpoint exists at path: the model's code
// changed since a checkpoint with the same settings, or its settings
// differ from those of the checkpoints there are, or there is none.
func whyNoCheckpoint(path, name, code, settings string) string {
	others, _ := filepath.Glob(filepath.Join(filepath.Dir(path), fileName(name)+"-*.ckpt"))
	var sameSettings, sameCode int
	var changed string
	for _, o := range others {
		hd, err := readHeader(o)
		if err != nil {
			continue
		}
		if hd.Settings == settings && hd.Code != code {
			sameSettings++
			if changed == "" {
				changed = fmt.Sprintf("%s, trained %s", displayPath(o), hd.Created.Format("2006-01-02 15:04"))
			}
		}
		if hd.Code == code {
			sameCode++
		}
	}
	switch {
	case sameSettings > 0:
		return fmt.Sprintf("the model's code changed since this checkpoint: %s (its weights belong to the old code; saving a new one)", changed)
	case sameCode > 0:
		return fmt.Sprintf("no checkpoint for these settings yet (%d for other settings); will save %s", sameCode, displayPath(path))
	}
	return fmt.Sprintf("no checkpoint yet; will save %s", displayPath(path))
}

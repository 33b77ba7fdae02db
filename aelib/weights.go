package aelib

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// isModelVar tells a model's weights from the optimizer's state (Adam's
// moments, the learning rate, step counters) and the random generator's
// state, which checkpoints leave out. An optimizer given a sub-scope (one
// learning rate for the encoder, another for the head) keeps its state under
// it, e.g. /encoder/optimizers/learning_rate.
func isModelVar(v *model.Variable) bool {
	for _, s := range []string{optimizer.Scope, optimizer.AdamDefaultScope} {
		if strings.Contains(v.Path(), "/"+s+"/") {
			return false
		}
	}
	return v.Name() != model.RNGStateVariableName && v.Name() != optimizer.GlobalStepVariableName
}

// modelVars lists the model's variables (see isModelVar), sorted by path.
func modelVars(store *model.Store) []ckptVar {
	var vs []ckptVar
	for v := range store.IterVariables() {
		if isModelVar(v) {
			vs = append(vs, ckptVar{Path: v.Path(), Dims: slices.Clone(v.Shape().Dimensions)})
		}
	}
	slices.SortFunc(vs, func(a, b ckptVar) int { return strings.Compare(a.Path, b.Path) })
	return vs
}

// scopeParams sums the sizes of the variables under a scope path.
func scopeParams(store *model.Store, scope string) int {
	n := 0
	for v := range store.IterVariables() {
		if strings.HasPrefix(v.Path(), scope+"/") {
			n += v.Shape().Size()
		}
	}
	return n
}

// CopyWeights copies the weights under scope (e.g. "encoder") of a trained
// model into m, which must be new (m's first Train keeps them and draws only
// its other weights from the seed) or trained with TrainFresh (its next
// TrainFresh keeps them). 07_pretraining starts a classifier from an
// autoencoder's encoder this way. m's code must use the same scope and
// shapes, which its first Train checks.
func (m *Model) CopyWeights(src *Model, scope string) error {
	if !m.fresh && m.exec == nil {
		return errorf(ErrInvalid, "copy weights into %s: it has been trained or loaded already: copy into a new model, or train it with TrainFresh", m.Name)
	}
	prefix := "/" + strings.Trim(scope, "/") + "/"
	if m.kept == nil {
		m.kept = map[string]bool{}
	}
	return runGraph(fmt.Sprintf("copying %s weights from %s", scope, src.Name), func() error {
		if src.fresh {
			return fmt.Errorf("%s is not trained", src.Name)
		}
		n := 0
		for v := range src.Store.IterVariables() {
			if !strings.HasPrefix(v.Path(), prefix) || !isModelVar(v) {
				continue
			}
			copied, err := valueCopy(v)
			if err != nil {
				return err
			}
			if mine := m.Store.GetVariable(v.Path()); mine != nil {
				if !mine.Shape().Equal(v.Shape()) {
					return fmt.Errorf("variable %s has shape %s here, %s there", v.Path(), mine.Shape(), v.Shape())
				}
				err = mine.SetValue(copied)
			} else {
				_, err = m.Store.CreateVariable(v.Path(), copied)
			}
			if err != nil {
				return err
			}
			m.kept[v.Path()] = true
			n++
		}
		if n == 0 {
			return fmt.Errorf("%s has no weights in scope %q", src.Name, scope)
		}
		return nil
	})
}

// initVariables gives every variable without a value its initial value,
// after first dropping the values of the variables that reset selects (by
// path; nil selects none), so those are drawn again. Whenever something is
// to be drawn, the store's random generator is first seeded with seed, so
// initial weights depend only on the seed and the model.
func initVariables(backend compute.Backend, store *model.Store, seed int64, reset func(path string) bool) error {
	return runGraph("initialising weights", func() error {
		missing, resetAny := false, false
		for v := range store.IterVariables() {
			if reset != nil && reset(v.Path()) && v.Name() != model.RNGStateVariableName {
				if err := v.Reset(); err != nil {
					return err
				}
				resetAny = true
			}
			if !v.HasValue() && v.Name() != model.RNGStateVariableName {
				missing = true
			}
		}
		if reset != nil || resetAny || missing {
			// Also when nothing is missing: the variables a step creates
			// later (all of a model made with NewModel) are drawn from
			// this state when the step first runs.
			if err := store.SetRNGStateFromSeed(seed); err != nil {
				return err
			}
		}
		if !missing {
			return nil
		}
		return store.InitializeVariables(backend, nil)
	})
}

// restart gives m fresh weights for TrainFresh: every model weight drawn from
// seed, then the copied ones (m.kept) put back; optimizer state zeroed, its
// learning rates left alone.
func (m *Model) restart(seed int64) error {
	return runGraph("restarting "+m.Name, func() error {
		kept := map[string]*tensors.Tensor{}
		var weights []*model.Variable
		key := fmt.Sprint(seed)
		for v := range m.Store.IterVariables() {
			switch {
			case m.kept[v.Path()]:
				t, err := valueCopy(v)
				if err != nil {
					return err
				}
				kept[v.Path()] = t
			case isModelVar(v) || v.Name() == model.RNGStateVariableName || v.Name() == optimizer.ParamLearningRate:
			case v.HasValue(): // optimizer state: from zero
				if err := v.SetValue(tensors.FromShape(v.Shape())); err != nil {
					return err
				}
			}
			if isModelVar(v) {
				weights = append(weights, v)
				key += fmt.Sprintf(" %s%v", v.Path(), v.Shape().Dimensions)
			}
		}
		if err := m.Store.SetRNGStateFromSeed(seed); err != nil {
			return err
		}
		if err := drawWeights(m, weights, key); err != nil {
			return err
		}
		for path, t := range kept {
			if err := m.Store.GetVariable(path).SetValue(t); err != nil {
				return err
			}
		}
		m.kept = nil
		return nil
	})
}

// initCache keeps the initial weights restart drew, by seed and weights
// (their paths and shapes; weights alike in both are taken to have the same
// initialisers): the four starts of 07's classifiers, which share their
// weights, then start from the same draws without each compiling an
// initialisation graph (about half a second on XLA) for every seed.
var initCache = struct {
	sync.Mutex
	m map[string][][]float32
}{m: map[string][][]float32{}}

// drawWeights gives the weights their initial values for the seed in key,
// drawn by their initialisers or, for a key seen before, copied from the cache.
func drawWeights(m *Model, weights []*model.Variable, key string) error {
	initCache.Lock()
	defer initCache.Unlock()
	if vals, ok := initCache.m[key]; ok {
		for i, v := range weights {
			if err := v.SetValue(tensors.FromFlatDataAndDimensions(slices.Clone(vals[i]), v.Shape().Dimensions...)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, v := range weights {
		if err := v.Reset(); err != nil {
			return err
		}
	}
	if err := m.Store.InitializeVariables(m.Backend, nil); err != nil {
		return err
	}
	vals := make([][]float32, len(weights))
	for i, v := range weights {
		if v.DType() != dtypes.Float32 {
			return nil // not cached: only float32 weights are
		}
		t, err := v.Value()
		if err != nil {
			return err
		}
		if vals[i], err = tensors.CopyFlatData[float32](t); err != nil {
			return err
		}
	}
	if len(initCache.m) >= 64 { // a long session's sweeps: start the cache again
		clear(initCache.m)
	}
	initCache.m[key] = vals
	return nil
}

// valueCopy returns a copy of a float32 variable's value, on the host.
func valueCopy(v *model.Variable) (*tensors.Tensor, error) {
	t, err := v.Value()
	if err != nil {
		return nil, err
	}
	flat, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return nil, err
	}
	return tensors.FromFlatDataAndDimensions(flat, v.Shape().Dimensions...), nil
}

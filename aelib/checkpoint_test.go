package aelib

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// ckptFiles lists the checkpoint files in dir, by base name.
func ckptFiles(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// ckptKeys splits a checkpoint's file name, <name>-<settings>-<code>.ckpt.
func ckptKeys(t testing.TB, file string) (name, settings, code string) {
	t.Helper()
	f := strings.Split(strings.TrimSuffix(file, ".ckpt"), "-")
	if len(f) != 3 {
		t.Fatalf("checkpoint file %q is not <name>-<settings>-<code>.ckpt", file)
	}
	return f[0], f[1], f[2]
}

func TestCheckpointRoundTrip(t *testing.T) {
	train, _ := digits(t, 300, 0)
	ae := trained(t, "roundtrip", train)
	want, err := ae.Reconstruct(train.X)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "rt.ckpt")
	if err := ae.save(path, "", ""); err != nil {
		t.Fatal(err)
	}

	other := smallAE(t, "roundtrip")
	// Used before loading: its compiled reconstruction must see the loaded weights.
	before, err := other.Reconstruct(train.X)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(before, want) {
		t.Fatal("a fresh AE reconstructs like the trained one: the test proves nothing")
	}
	hd, err := other.load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := other.Reconstruct(train.X)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("reconstructions differ after save and load")
	}
	if !sameWeights(weights(t, ae.Model), weights(t, other.Model)) {
		t.Error("weights differ after save and load")
	}
	if hd.Name != "roundtrip" || len(hd.Vars) != 8 {
		t.Errorf("header: name %q, %d variables; want \"roundtrip\", 8", hd.Name, len(hd.Vars))
	}
	if other.History == nil || !slices.Equal(other.History.Steps, ae.History.Steps) ||
		!slices.Equal(other.History.Epoch, ae.History.Epoch) || other.History.Config.Seed != 42 {
		t.Errorf("History not restored: %+v", other.History)
	}
	if other.fresh {
		t.Error("a loaded model is still fresh: Train would draw its weights again")
	}
	// No temporary file is left, and the file is readable by all.
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Errorf("files in the directory: %v, want only rt.ckpt", files)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("checkpoint mode %v (%v), want 0644", fi.Mode().Perm(), err)
	}

	// Training the loaded model continues from its weights.
	h, err := other.Train(train, nil, quiet(1), other.Step)
	if err != nil {
		t.Fatal(err)
	}
	if !(h.Steps[0] < 0.8*ae.History.Steps[0]) {
		t.Errorf("first loss after loading %.4f, want well below the untrained %.4f", h.Steps[0], ae.History.Steps[0])
	}
}

// seal appends the SHA-256 a checkpoint ends with.
func seal(body []byte) []byte {
	sum := sha256.Sum256(body)
	return append(slices.Clone(body), sum[:]...)
}

// TestCheckpointRejected: a truncated, corrupted or foreign file is an
// error that says so, and loading it changes nothing.
func TestCheckpointRejected(t *testing.T) {
	train, _ := digits(t, 200, 0)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ckpt")
	if err := trained(t, "corrupt", train).save(good, "", ""); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	body := b[:len(b)-sha256.Size]
	flip := slices.Clone(b)
	flip[len(flip)/2] ^= 0x40
	header := func(h string, n uint64) []byte {
		x := binary.LittleEndian.AppendUint64([]byte(ckptMagic), n)
		return append(x, h...)
	}
	foreign := filepath.Join(dir, "foreign.ckpt")
	enc16, _ := MLP([]int{16, 2}, graph.Tanh, graph.Tanh)
	dec16, _ := MLP([]int{16, Pixels}, graph.Tanh, graph.Sigmoid)
	if err := newAE(t, "corrupt", enc16, dec16).save(foreign, "", ""); err != nil { // 784-16-2: same variables, other shapes
		t.Fatal(err)
	}
	foreignBytes, err := os.ReadFile(foreign)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", b[:len(b)-1000], "rejected: truncated or corrupted: checksum mismatch (delete it or retrain)"},
		{"half", b[:len(b)/2], "rejected: truncated or corrupted: checksum mismatch"},
		{"tiny", b[:20], "rejected: not an aelib checkpoint or truncated (20 bytes)"},
		{"empty", nil, "rejected: not an aelib checkpoint or truncated (0 bytes)"},
		{"bit flip", flip, "rejected: truncated or corrupted: checksum mismatch"},
		{"not a checkpoint", []byte(strings.Repeat("PNG!", 100)), "rejected: not an aelib checkpoint"},
		// Files whose checksum is right but whose content is not.
		{"header unreadable", seal(header("{bad", 4)), "rejected: header unreadable"},
		{"header too long", seal(header("{}", 1<<20)), "rejected: header longer than the file"},
		{"data missing", seal(body[:len(body)-4]), "rejected: data of variable /encoder/dense_1/dense/weights missing"},
		{"bytes left", seal(append(slices.Clone(body), 1, 2, 3, 4)), "rejected: 4 bytes left after the data"},
		{"other shapes", foreignBytes, "does not fit this model: variable /decoder/dense_0/dense/biases has shape [16], the model's is [32]"},
	}
	target := trained(t, "corrupt", train.Head(100)) // other weights than good's
	history := target.History
	wantW := weights(t, target.Model)
	wantR, err := target.Reconstruct(train.X[:5*Pixels])
	if err != nil {
		t.Fatal(err)
	}
	fresh := smallAE(t, "corrupt")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".ckpt")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, m := range []*AE{target, fresh} {
				_, err := m.load(path)
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Base(path)) ||
					strings.Contains(err.Error(), "\n") {
					t.Errorf("error %v, want one line naming the file, with %q", err, tc.want)
				}
			}
			if target.History != history || !sameWeights(weights(t, target.Model), wantW) {
				t.Error("a rejected checkpoint changed the trained model")
			}
			if r, err := target.Reconstruct(train.X[:5*Pixels]); err != nil || !slices.Equal(r, wantR) {
				t.Errorf("a rejected checkpoint changed the reconstructions (%v)", err)
			}
			if !fresh.fresh || fresh.History != nil {
				t.Error("a rejected checkpoint changed a fresh model")
			}
		})
	}
	// A missing file is fs.ErrNotExist, which TrainOrLoad tells from a bad file.
	if _, err := fresh.load(filepath.Join(dir, "missing.ckpt")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error %v does not match fs.ErrNotExist", err)
	}
}

// trainOrLoad calls m.TrainOrLoad and returns its History and what it printed.
func trainOrLoad(t *testing.T, m *Model, train, test *Digits, cfg Config, step Step) (*History, string) {
	t.Helper()
	var h *History
	out := outputOf(t, func() {
		var err error
		if h, err = m.TrainOrLoad(train, test, cfg, step); err != nil {
			t.Fatal(err)
		}
	})
	return h, out
}

// contains checks that out holds every string of want and none of not.
func contains(t *testing.T, what, out string, want []string, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
	for _, n := range not {
		if strings.Contains(out, n) {
			t.Errorf("%s: output has %q:\n%s", what, n, out)
		}
	}
}

func TestTrainOrLoad(t *testing.T) {
	dir := tempCheckpoints(t)
	train, test := digits(t, 300, 100)
	cfg := quiet(1)

	first := smallAE(t, "tol")
	h1, out := trainOrLoad(t, first.Model, train, test, cfg, first.Step)
	contains(t, "first call", out, []string{"training tol: no checkpoint yet; will save ", "saved checkpoint "}, []string{"loaded"})
	files := ckptFiles(t, dir)
	if len(files) != 1 || !strings.HasPrefix(files[0], "tol-") {
		t.Fatalf("checkpoints %v, want one tol-*.ckpt in $%s", files, checkpointEnv)
	}
	path := filepath.Join(dir, files[0])
	if len(h1.Test) != 1 {
		t.Errorf("History.Test %v, want one test error", h1.Test)
	}

	second := smallAE(t, "tol")
	h2, out := trainOrLoad(t, second.Model, train, test, cfg, second.Step)
	contains(t, "second call", out, []string{"loaded checkpoint ", "1 epoch on 300 images, last epoch per-pixel MSE"}, []string{"training", "saved"})
	if !sameWeights(weights(t, first.Model), weights(t, second.Model)) {
		t.Error("loaded weights differ from the trained ones")
	}
	r1, _ := first.Reconstruct(test.X)
	r2, _ := second.Reconstruct(test.X)
	if !slices.Equal(r1, r2) {
		t.Error("the loaded model reconstructs differently")
	}
	if h2 != second.History || !slices.Equal(h1.Steps, h2.Steps) || !slices.Equal(h1.Test, h2.Test) {
		t.Error("loaded History differs")
	}

	// Retrain trains even though the checkpoint exists, and replaces it.
	retrain := cfg
	retrain.Retrain = true
	third := smallAE(t, "tol")
	h3, out := trainOrLoad(t, third.Model, train, test, retrain, third.Step)
	contains(t, "retrain", out, []string{"training tol (retrain requested; will replace ", "saved checkpoint "}, []string{"loaded"})
	if !slices.Equal(h3.Steps, h1.Steps) {
		t.Error("retraining with the same seed gave other losses")
	}
	if files := ckptFiles(t, dir); len(files) != 1 {
		t.Errorf("after retraining: checkpoints %v, want the one replaced", files)
	}

	// A truncated checkpoint is reported and replaced by a new training.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b[:len(b)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	fourth := smallAE(t, "tol")
	h4, out := trainOrLoad(t, fourth.Model, train, test, cfg, fourth.Step)
	contains(t, "truncated", out, []string{"training tol again: aelib: checkpoint ", "rejected: truncated or corrupted", "saved checkpoint "}, []string{"loaded"})
	if !slices.Equal(h4.Steps, h1.Steps) {
		t.Error("training after a truncated checkpoint gave other losses")
	}
	if _, out := trainOrLoad(t, smallAE(t, "tol").Model, train, test, cfg, first.Step); !strings.Contains(out, "loaded checkpoint") {
		t.Errorf("the replaced checkpoint does not load:\n%s", out)
	}

	// Other settings: the code is known, the settings are not.
	cfg2 := cfg
	cfg2.Epochs = 2
	fifth := smallAE(t, "tol")
	h5, out := trainOrLoad(t, fifth.Model, train, test, cfg2, fifth.Step)
	contains(t, "other epochs", out, []string{"training tol: no checkpoint for these settings yet (1 for other settings); will save ", "saved checkpoint "},
		[]string{"loaded", "code changed"})
	if len(h5.Epoch) != 2 {
		t.Errorf("%d epochs, want 2", len(h5.Epoch))
	}
	if files := ckptFiles(t, dir); len(files) != 2 {
		t.Errorf("checkpoints %v, want one per setting", files)
	}

	// Errors come before any file is touched.
	if _, err := smallAE(t, "tol").TrainOrLoad(train, test, cfg, nil); err == nil || !strings.Contains(err.Error(), "step is nil") {
		t.Errorf("nil step: %v", err)
	}
	if _, err := smallAE(t, "tol").TrainOrLoad(train, test, quiet(0), first.Step); err == nil || !strings.Contains(err.Error(), "epochs 0 invalid") {
		t.Errorf("epochs 0: %v", err)
	}
	if files := ckptFiles(t, dir); len(files) != 2 {
		t.Errorf("checkpoints %v after errors", files)
	}
}

// TestTrainOrLoadCodeChanged is the case checkpoints are keyed by code for:
// the notebook's model with its first Tanh turned into a Sigmoid (same name,
// settings and data) must not load the Tanh model's weights, and says why.
func TestTrainOrLoadCodeChanged(t *testing.T) {
	dir := tempCheckpoints(t)
	train, _ := digits(t, 300, 0)
	cfg := quiet(1)

	tanhAE := newAE(t, "coded", loopEncoder(graph.Tanh), loopDecoder)
	hTanh, out := trainOrLoad(t, tanhAE.Model, train, nil, cfg, tanhAE.Step)
	contains(t, "tanh", out, []string{"no checkpoint yet", "saved checkpoint"}, nil)

	sigAE := newAE(t, "coded", loopEncoder(graph.Sigmoid), loopDecoder)
	hSig, out := trainOrLoad(t, sigAE.Model, train, nil, cfg, sigAE.Step)
	contains(t, "sigmoid", out, []string{
		"training coded: the model's code changed since this checkpoint: ",
		"(its weights belong to the old code; saving a new one)",
		"saved checkpoint ",
	}, []string{"loaded"})
	if slices.Equal(hTanh.Steps, hSig.Steps) || sameWeights(weights(t, tanhAE.Model), weights(t, sigAE.Model)) {
		t.Error("the Sigmoid model has the Tanh model's losses or weights")
	}
	files := ckptFiles(t, dir)
	if len(files) != 2 {
		t.Fatalf("checkpoints %v, want one per code", files)
	}
	_, s0, c0 := ckptKeys(t, files[0])
	_, s1, c1 := ckptKeys(t, files[1])
	if s0 != s1 || c0 == c1 {
		t.Errorf("checkpoints %v: want the same settings key and two code keys", files)
	}

	// Each code finds its own checkpoint.
	for _, tc := range []struct {
		name  string
		first func(*graph.Node) *graph.Node
		want  []float64
	}{{"tanh", graph.Tanh, hTanh.Steps}, {"sigmoid", graph.Sigmoid, hSig.Steps}} {
		ae := newAE(t, "coded", loopEncoder(tc.first), loopDecoder)
		h, out := trainOrLoad(t, ae.Model, train, nil, cfg, ae.Step)
		contains(t, tc.name+" again", out, []string{"loaded checkpoint"}, []string{"training"})
		if !slices.Equal(h.Steps, tc.want) {
			t.Errorf("%s again: loaded another model's History", tc.name)
		}
	}
}

// TestTrainOrLoadNewModel: a model made with NewModel, whose variables its
// step creates, is saved and loaded like an AE.
func TestTrainOrLoadNewModel(t *testing.T) {
	tempCheckpoints(t)
	train, test := digits(t, 300, 100)
	first := newClassifier(t)
	h1, out := trainOrLoad(t, first, train, test, quiet(1), classifierStep)
	contains(t, "first call", out, []string{"saved checkpoint"}, nil)
	second := newClassifier(t)
	h2, out := trainOrLoad(t, second, train, test, quiet(1), classifierStep)
	contains(t, "second call", out, []string{"loaded checkpoint"}, []string{"training"})
	if !slices.Equal(h1.Steps, h2.Steps) {
		t.Error("loaded History differs")
	}
	a1, err1 := accuracy(first, test)
	a2, err2 := accuracy(second, test)
	if err1 != nil || err2 != nil || a1 != a2 {
		t.Errorf("accuracy %.3f trained, %.3f loaded (%v, %v)", a1, a2, err1, err2)
	}
}

// aeStepWith is AE.Step as a notebook writes it out, with the encoder's
// first activation, the loss and the optimizer as given.
func aeStepWith(first func(*graph.Node) *graph.Node, lossFn func(y, x *graph.Node) *graph.Node, opt optimizer.Interface) Step {
	return func(scope *model.Scope, x, _ *graph.Node) *graph.Node {
		y := loopDecoder(scope.In("decoder"), loopEncoder(first)(scope.In("encoder"), x))
		l := lossFn(y, x)
		opt.UpdateGraph(scope, x.Graph(), l)
		return l
	}
}

func TestStepFingerprint(t *testing.T) {
	mse := func(y, x *graph.Node) *graph.Node { return graph.ReduceAllMean(graph.Square(graph.Sub(y, x))) }
	mae := func(y, x *graph.Node) *graph.Node { return graph.ReduceAllMean(graph.Abs(graph.Sub(y, x))) }
	adam := optimizer.Adam().Epsilon(1e-8).Done()
	ae := smallAE(t, "fp") // MLP's encoder and decoder, AE.Step
	want, err := stepFingerprint(ae.Step)
	if err != nil {
		t.Fatal(err)
	}
	train, _ := digits(t, 100, 0)
	ref, err := ReferenceAE()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		step Step
		same bool
	}{
		{"AE.Step of another AE of the same code", smallAE(t, "other name").Step, true},
		{"AE.Step of a trained AE", trained(t, "fp", train).Step, true},
		{"hand-written, loops of Linear+Tanh", aeStepWith(graph.Tanh, mse, adam), true},
		{"first Tanh → Sigmoid", aeStepWith(graph.Sigmoid, mse, adam), false},
		{"mean absolute error", aeStepWith(graph.Tanh, mae, adam), false},
		{"Adam's default ε", aeStepWith(graph.Tanh, mse, optimizer.Adam().Done()), false},
		{"the reference AE", ref.Step, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stepFingerprint(tc.step)
			if err != nil {
				t.Fatal(err)
			}
			if (got == want) != tc.same {
				t.Errorf("fingerprint %s vs AE.Step's %s: equal = %v, want %v", got, want, got == want, tc.same)
			}
			if len(got) != 12 {
				t.Errorf("fingerprint %q, want 12 hex digits", got)
			}
		})
	}
	// A step that cannot be built is an error, not a panic.
	bad := func(scope *model.Scope, x, _ *graph.Node) *graph.Node {
		return graph.ReduceAllMean(graph.Add(Linear(scope.In("a"), x, 5), Linear(scope.In("b"), x, 3)))
	}
	if _, err := stepFingerprint(bad); err == nil || !strings.Contains(err.Error(), "aelib: fingerprinting the model's training step: ") {
		t.Errorf("bad step: %v", err)
	}
}

// TestCheckpointKeys: the settings key covers the settings, the data, the
// name and the variables' shapes, not the options.
func TestCheckpointKeys(t *testing.T) {
	train, _ := digits(t, 300, 0)
	ae := smallAE(t, "keys")
	cfg := quiet(1)
	code, settings, err := ae.fingerprints(train, cfg, ae.Step)
	if err != nil {
		t.Fatal(err)
	}
	relabelled := train.Head(300)
	relabelled.Labels[7] = (relabelled.Labels[7] + 1) % 10
	repixelled := train.Head(300)
	repixelled.X[61*1000] += 0.5
	// Fingerprints once hashed every 61st pixel only: a change between those must count too.
	offStride := train.Head(300)
	offStride.X[61*1000+30] += 0.5
	enc16, _ := MLP([]int{16, 2}, graph.Tanh, graph.Tanh)
	dec16, _ := MLP([]int{16, Pixels}, graph.Tanh, graph.Sigmoid)
	narrow := newAE(t, "keys", enc16, dec16)
	tests := []struct {
		name string
		m    *AE
		d    *Digits
		edit func(c *Config)
		same bool
	}{
		{"options", ae, train, func(c *Config) { c.Quiet, c.NoCurve, c.Retrain = !c.Quiet, !c.NoCurve, !c.Retrain }, true},
		{"another AE of the same code", smallAE(t, "keys"), train, func(c *Config) {}, true},
		{"epochs", ae, train, func(c *Config) { c.Epochs++ }, false},
		{"batch", ae, train, func(c *Config) { c.Batch++ }, false},
		{"lr", ae, train, func(c *Config) { c.LR /= 2 }, false},
		{"halve after", ae, train, func(c *Config) { c.HalveAfter = 1 }, false},
		{"seed", ae, train, func(c *Config) { c.Seed++ }, false},
		{"fewer images", ae, train.Head(299), func(c *Config) {}, false},
		{"a label", ae, relabelled, func(c *Config) {}, false},
		{"a pixel", ae, repixelled, func(c *Config) {}, false},
		{"a pixel between every 61st", ae, offStride, func(c *Config) {}, false},
		{"name", smallAE(t, "other"), train, func(c *Config) {}, false},
		{"layer widths", narrow, train, func(c *Config) {}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			tc.edit(&c)
			gotCode, gotSettings, err := tc.m.fingerprints(tc.d, c, tc.m.Step)
			if err != nil {
				t.Fatal(err)
			}
			if (gotSettings == settings) != tc.same {
				t.Errorf("settings key %s vs %s: equal = %v, want %v", gotSettings, settings, gotSettings == settings, tc.same)
			}
			if tc.m == ae && gotCode != code {
				t.Errorf("code key changed from %s to %s with settings only", code, gotCode)
			}
		})
	}
}

// TestCheckpointVars: checkpoints hold the model's weights, not the
// optimizer's state or the random generator's.
func TestCheckpointVars(t *testing.T) {
	train, _ := digits(t, 100, 0)
	ae := trained(t, "vars", train)
	var mine, other []string
	for v := range ae.Store.IterVariables() {
		if isModelVar(v) {
			mine = append(mine, v.Path())
		} else {
			other = append(other, v.Path())
		}
	}
	for _, p := range mine {
		if !strings.HasPrefix(p, "/encoder/dense_") && !strings.HasPrefix(p, "/decoder/dense_") {
			t.Errorf("%s counted as a model weight", p)
		}
	}
	for _, want := range []string{"/#rngState", "/global_step", "/optimizers/learning_rate", "/AdamOptimizer/step",
		"/AdamOptimizer/encoder/dense_0/dense/weights_1st_moment"} {
		if !slices.Contains(other, want) {
			t.Errorf("%s not left out (left out: %v)", want, other)
		}
	}
	if len(mine) != 8 {
		t.Errorf("%d model variables, want 8: %v", len(mine), mine)
	}
	path := filepath.Join(t.TempDir(), "vars.ckpt")
	if err := ae.save(path, "", ""); err != nil {
		t.Fatal(err)
	}
	hd, err := readHeader(path)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, v := range hd.Vars {
		paths = append(paths, v.Path)
	}
	slices.Sort(mine)
	if !slices.Equal(paths, mine) {
		t.Errorf("checkpoint variables %v, want %v", paths, mine)
	}
	// The file holds the header, 4 bytes per weight and the checksum: nothing else.
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := os.ReadFile(path)
	hl := int64(binary.LittleEndian.Uint64(hb[len(ckptMagic):]))
	if want := int64(len(ckptMagic)+8) + hl + 4*int64(ae.NumParams()) + sha256.Size; fi.Size() != want {
		t.Errorf("checkpoint of %d bytes, want %d for %d weights", fi.Size(), want, ae.NumParams())
	}
}

func TestCheckpointDir(t *testing.T) {
	t.Setenv(checkpointEnv, "")
	dir, err := checkpointDir()
	if err != nil {
		t.Fatal(err)
	}
	root, err := projectRoot()
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(root, ".checkpoints") {
		t.Errorf("checkpointDir() = %s, want %s", dir, filepath.Join(root, ".checkpoints"))
	}
	custom := t.TempDir()
	t.Setenv(checkpointEnv, custom)
	if dir, err := checkpointDir(); err != nil || dir != custom {
		t.Errorf("with $%s=%s: %s, %v", checkpointEnv, custom, dir, err)
	}
	tests := []struct{ name, file string }{
		{"reference", "reference-s-c.ckpt"},
		{"my model/v2", "my_model_v2-s-c.ckpt"},
		{"../../etc/passwd", "etc_passwd-s-c.ckpt"},
		{"", "model-s-c.ckpt"},
	}
	for _, tc := range tests {
		p, err := checkpointPath(tc.name, "c", "s")
		if err != nil || p != filepath.Join(custom, tc.file) {
			t.Errorf("checkpointPath(%q) = %s, %v; want %s in $%s", tc.name, p, err, tc.file, checkpointEnv)
		}
	}
}

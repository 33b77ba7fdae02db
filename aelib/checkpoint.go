package aelib

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/janpfeifer/gonb/gonbui"
)

// checkpointEnv names the environment variable that overrides the
// checkpoint directory.
const checkpointEnv = "AELIB_CHECKPOINTS"

// checkpointDir is where TrainOrLoad keeps trained models: $AELIB_CHECKPOINTS
// if set, else .checkpoints in the project root (the directory of this
// module's go.mod), else aelib/checkpoints in the user's cache directory.
func checkpointDir() (string, error) {
	if d := os.Getenv(checkpointEnv); d != "" {
		return d, nil
	}
	if root, err := projectRoot(); err == nil {
		return filepath.Join(root, ".checkpoints"), nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", errorf("no checkpoint directory: set $%s (%v)", checkpointEnv, err)
	}
	return filepath.Join(cache, "aelib", "checkpoints"), nil
}

// checkpoint file layout: magic, uint64 little-endian header length, JSON
// header, the float32 values of every variable in header order (little
// endian), then the SHA-256 of everything before it.
const ckptMagic = "AELIB-CKPT-1\n"

// ckptHeader describes a checkpoint.
type ckptHeader struct {
	Name     string
	Code     string // fingerprint of the training step's graph: what the model computes
	Settings string // fingerprint of the training settings and data
	Created  time.Time
	By       string // the notebook or program that trained it
	Vars     []ckptVar
	History  *History `json:",omitempty"`
}

type ckptVar struct {
	Path string
	Dims []int
}

// keys returns the fingerprints that name a checkpoint: code, of what the
// model computes (the graph of its training step, forward pass, loss and
// update, for a batch of two images), and settings, of the training
// settings, the training images and the variables' shapes. Any change to the
// model's code that changes what it computes, say one Tanh turned into a
// Sigmoid, changes code; a change of weights does not.
func (m *Model) keys(train *Digits, cfg Config, step Step) (code, settings string, err error) {
	code, err = stepFingerprint(step)
	if err != nil {
		return "", "", err
	}
	h := sha256.New()
	enc := json.NewEncoder(h)
	_ = enc.Encode(m.Name)
	_ = enc.Encode(modelVars(m.Store))
	_ = enc.Encode(cfg) // only the settings: options are not encoded
	_ = enc.Encode(dataFingerprint(train))
	return code, hex.EncodeToString(h.Sum(nil))[:12], nil
}

// stepFingerprint builds the graph of step for a batch of two images, in a
// store of its own on GoMLX's pure Go backend (building costs milliseconds
// there and gives the same graph whatever backend trains), and hashes its
// listing: every node, its op, shape and inputs, and the variables by name.
func stepFingerprint(step Step) (string, error) {
	gb, err := graphBackend()
	if err != nil {
		return "", errorf("fingerprinting the model: %w", err)
	}
	var listing string
	err = safely("fingerprinting the model's training step", func() error {
		store := model.NewStore()
		e, err := model.NewExec(gb, store, func(scope *model.Scope, x, labels *graph.Node) *graph.Node {
			store.SetTraining(x.Graph(), true)
			return step(scope, x, labels)
		})
		if err != nil {
			return err
		}
		defer e.Finalize()
		g, err := e.Compile(shapes.Make(dtypes.Float32, 2, Pixels), shapes.Make(dtypes.Int32, 2))
		if err != nil {
			return err
		}
		// The first line names the graph after the Go function that built it: not part of what it computes.
		_, listing, _ = strings.Cut(g.String(), "\n")
		return nil
	})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(listing))
	return hex.EncodeToString(sum[:])[:12], nil
}

// dataFingerprint hashes the number of images, every pixel and every label,
// so that a change to any one pixel trains anew. It uses two CRC-32s
// (Castagnoli and IEEE, computed in hardware on current CPUs): a CRC catches
// every change within 32 consecutive bits, so any one changed pixel, and the
// pair makes a 64-bit key. About 0.1 s for the 60,000 training digits.
func dataFingerprint(d *Digits) string {
	if d == nil {
		return ""
	}
	castagnoli, ieee := uint32(0), uint32(0)
	add := func(b []byte) {
		castagnoli = crc32.Update(castagnoli, castagnoliTable, b)
		ieee = crc32.Update(ieee, crc32.IEEETable, b)
	}
	buf := make([]byte, 0, 64<<10)
	for i, v := range d.X {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		if len(buf) == cap(buf) || i == len(d.X)-1 {
			add(buf)
			buf = buf[:0]
		}
	}
	for _, l := range d.Labels {
		buf = append(buf, byte(l))
	}
	add(buf)
	return fmt.Sprintf("%d:%08x%08x", d.Len(), castagnoli, ieee)
}

var castagnoliTable = crc32.MakeTable(crc32.Castagnoli)

// checkpointPath is the file of a model with these fingerprints.
func checkpointPath(name, code, settings string) (string, error) {
	dir, err := checkpointDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, safeName(name)+"-"+settings+"-"+code+".ckpt"), nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string {
	s = strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_.")
	if s == "" {
		s = "model"
	}
	return s
}

// TrainOrLoad trains the model like Train, or, when a checkpoint of the
// same model, training images and settings exists, loads it instead
// (seconds rather than minutes) and shows its saved loss chart. The
// checkpoint's name covers what the model computes (see keys): after an
// edit of the model's code it trains anew and says that the code changed.
// cfg.Retrain forces training. After training it saves the checkpoint,
// History included. A checkpoint that is truncated or corrupted is reported
// and replaced by a new training. Taught in 02_autoencoder.
func (m *Model) TrainOrLoad(train, test *Digits, cfg Config, step Step) (*History, error) {
	train, test, cfg, err := prepare(train, test, cfg)
	if err != nil {
		return nil, err
	}
	if step == nil {
		return nil, errorf("train %s: step is nil: pass the notebook's training step", m.Name)
	}
	code, settings, err := m.keys(train, cfg, step)
	if err != nil {
		return nil, err
	}
	path, err := checkpointPath(m.Name, code, settings)
	if err != nil {
		return nil, err
	}
	show := displayPath(path)
	if cfg.Retrain {
		fmt.Printf("training %s (retrain requested; will replace %s)\n", m.Name, show)
	} else {
		hd, err := m.load(path)
		if err == nil {
			fmt.Printf("loaded checkpoint %s (trained %s on %s, %s)\n", show,
				hd.Created.Format("2006-01-02 15:04"), backendOf(hd.History), describeHistory(hd.History))
			if gonbui.IsNotebook && !cfg.NoCurve && m.History != nil {
				if fig, err := m.History.Curve(m.chartTitle() + " (loaded from its checkpoint)"); err == nil {
					fig.Show()
				}
			}
			return m.History, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Printf("training %s: %s\n", m.Name, whyNoCheckpoint(path, m.Name, code, settings))
		} else {
			fmt.Printf("training %s again: %v\n", m.Name, err)
		}
	}
	h, err := m.train(train, test, cfg, step)
	if err != nil {
		return nil, err
	}
	if err := m.save(path, code, settings); err != nil {
		fmt.Printf("warning: %v (the trained model is still in memory)\n", err)
	} else {
		fmt.Printf("saved checkpoint %s\n", show)
	}
	return h, nil
}

// whyNoCheckpoint says why no checkpoint exists at path: the model's code
// changed since a checkpoint with the same settings, or its settings
// differ from those of the checkpoints there are, or there is none.
func whyNoCheckpoint(path, name, code, settings string) string {
	others, _ := filepath.Glob(filepath.Join(filepath.Dir(path), safeName(name)+"-*.ckpt"))
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

// backendOf names the backend a history was trained on.
func backendOf(h *History) string {
	if h == nil || h.Backend == "" {
		return "an unknown backend"
	}
	return h.Backend
}

func describeHistory(h *History) string {
	if h == nil || len(h.Epoch) == 0 {
		return "no history"
	}
	epochs := "epochs"
	if len(h.Epoch) == 1 {
		epochs = "epoch"
	}
	return fmt.Sprintf("%d %s on %d images, last epoch %s %.5f", len(h.Epoch), epochs, h.Images, h.Loss, h.Final())
}

// displayPath shows path relative to the project root when inside it.
func displayPath(path string) string {
	if root, err := projectRoot(); err == nil {
		if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return path
}

// trainedBy names the notebook (when Jupyter says) or program running now.
func trainedBy() string {
	if v := os.Getenv("JPY_SESSION_NAME"); v != "" {
		return strings.TrimSuffix(filepath.Base(v), ".ipynb")
	}
	return strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
}

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

// save writes the model's weights and its History to path, with the
// fingerprints that named it (see keys), atomically: a reader sees the old
// file or the new one, never half of one.
func (m *Model) save(path, code, settings string) error {
	if err := initVariables(m.Backend, m.Store, defaultSeed, nil); err != nil {
		return err
	}
	hd := ckptHeader{Name: m.Name, Code: code, Settings: settings, Created: time.Now(), By: trainedBy(),
		Vars: modelVars(m.Store), History: m.History}
	return saveCheckpoint(path, m.Store, hd)
}

// load replaces the model's weights (and History) by those saved in path.
// The checkpoint must hold exactly the model's variables with the same
// shapes; a truncated or corrupted file is an error and changes nothing.
func (m *Model) load(path string) (*ckptHeader, error) {
	hd, values, err := readCheckpoint(path)
	if err != nil {
		return nil, err
	}
	if err := setVars(m.Store, hd.Vars, values, path); err != nil {
		return nil, err
	}
	m.History = hd.History
	m.fresh = false
	return hd, nil
}

func saveCheckpoint(path string, store *model.Store, hd ckptHeader) error {
	fail := func(err error) error { return errorf("saving checkpoint %s: %w", path, err) }
	hj, err := json.Marshal(hd)
	if err != nil {
		return fail(err)
	}
	var buf bytes.Buffer
	buf.WriteString(ckptMagic)
	_ = binary.Write(&buf, binary.LittleEndian, uint64(len(hj)))
	buf.Write(hj)
	for _, cv := range hd.Vars {
		v := store.GetVariable(cv.Path)
		t, err := v.Value()
		if err != nil {
			return fail(err)
		}
		if t.DType() != dtypes.Float32 {
			return fail(fmt.Errorf("variable %s has dtype %s: only float32 is saved", cv.Path, t.DType()))
		}
		flat, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return fail(err)
		}
		if err := binary.Write(&buf, binary.LittleEndian, flat); err != nil {
			return fail(err)
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fail(err)
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return fail(err)
	}
	return nil
}

// readHeader reads the header of a checkpoint, without its weights.
func readHeader(path string) (*ckptHeader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pre [len(ckptMagic) + 8]byte
	if _, err := io.ReadFull(f, pre[:]); err != nil || string(pre[:len(ckptMagic)]) != ckptMagic {
		return nil, errorf("checkpoint %s: not an aelib checkpoint", displayPath(path))
	}
	n := binary.LittleEndian.Uint64(pre[len(ckptMagic):])
	if n > 1<<24 {
		return nil, errorf("checkpoint %s: header of %d bytes", displayPath(path), n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, errorf("checkpoint %s: %w", displayPath(path), err)
	}
	hd := &ckptHeader{}
	if err := json.Unmarshal(b, hd); err != nil {
		return nil, errorf("checkpoint %s: header unreadable: %w", displayPath(path), err)
	}
	return hd, nil
}

// readCheckpoint reads and verifies a checkpoint file. A missing file gives
// an error that matches fs.ErrNotExist.
func readCheckpoint(path string) (*ckptHeader, [][]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, errorf("checkpoint %s: %w", displayPath(path), err)
	}
	bad := func(why string) error {
		return errorf("checkpoint %s rejected: %s (delete it or retrain)", displayPath(path), why)
	}
	if len(b) < len(ckptMagic)+8+sha256.Size || string(b[:len(ckptMagic)]) != ckptMagic {
		return nil, nil, bad(fmt.Sprintf("not an aelib checkpoint or truncated (%d bytes)", len(b)))
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, nil, bad("truncated or corrupted: checksum mismatch")
	}
	rest := body[len(ckptMagic):]
	hl := binary.LittleEndian.Uint64(rest)
	rest = rest[8:]
	if hl > uint64(len(rest)) {
		return nil, nil, bad("header longer than the file")
	}
	hd := &ckptHeader{}
	if err := json.Unmarshal(rest[:hl], hd); err != nil {
		return nil, nil, bad("header unreadable: " + err.Error())
	}
	rest = rest[hl:]
	values := make([][]float32, len(hd.Vars))
	for i, v := range hd.Vars {
		n := 1
		for _, d := range v.Dims {
			if d < 0 || d > 1<<28 {
				return nil, nil, bad(fmt.Sprintf("variable %s has invalid dimensions %v", v.Path, v.Dims))
			}
			n *= d
		}
		if 4*n > len(rest) {
			return nil, nil, bad(fmt.Sprintf("data of variable %s missing", v.Path))
		}
		values[i] = make([]float32, n)
		for j := range values[i] {
			values[i][j] = math.Float32frombits(binary.LittleEndian.Uint32(rest[4*j:]))
		}
		rest = rest[4*n:]
	}
	if len(rest) != 0 {
		return nil, nil, bad(fmt.Sprintf("%d bytes left after the data", len(rest)))
	}
	return hd, values, nil
}

// setVars checks that saved variables match the store's model variables one
// to one, then sets their values.
func setVars(store *model.Store, saved []ckptVar, values [][]float32, path string) error {
	have := modelVars(store)
	if len(have) == 0 {
		// A model whose step creates its variables (one made with NewModel)
		// has none before its first training: create them with the saved
		// values; the step's graph reuses them. The checkpoint's name says
		// that the same step code trained it.
		for i, v := range saved {
			t := tensors.FromFlatDataAndDimensions(values[i], v.Dims...)
			if _, err := store.CreateVariable(v.Path, t); err != nil {
				return errorf("loading %s: %w", v.Path, err)
			}
		}
		return nil
	}
	mismatch := func(why string) error {
		return errorf("checkpoint %s does not fit this model: %s", displayPath(path), why)
	}
	if len(have) != len(saved) {
		return mismatch(fmt.Sprintf("it holds %d variables, the model has %d", len(saved), len(have)))
	}
	byPath := map[string]int{}
	for i, v := range saved {
		byPath[v.Path] = i
	}
	for _, v := range have {
		i, ok := byPath[v.Path]
		if !ok {
			return mismatch("it lacks variable " + v.Path)
		}
		if !slices.Equal(saved[i].Dims, v.Dims) {
			return mismatch(fmt.Sprintf("variable %s has shape %v, the model's is %v", v.Path, saved[i].Dims, v.Dims))
		}
	}
	for i, v := range saved {
		t := tensors.FromFlatDataAndDimensions(values[i], v.Dims...)
		if err := store.GetVariable(v.Path).SetValue(t); err != nil {
			return errorf("loading %s: %w", v.Path, err)
		}
	}
	return nil
}

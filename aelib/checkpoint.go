package aelib

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// NotebookEnv names the environment variable holding the name of the
// notebook that runs, written into the checkpoints it saves. SaveSettings
// and UseSettings set it.
const NotebookEnv = "AELIB_NOTEBOOK"

// CheckpointEnv names the environment variable that overrides the
// checkpoint directory.
const CheckpointEnv = "AELIB_CHECKPOINTS"

// CheckpointDir is where FitOrLoad keeps trained models: $AELIB_CHECKPOINTS
// if set, else .checkpoints in the project root (the directory of this
// module's go.mod), else aelib/checkpoints in the user's cache directory.
func CheckpointDir() (string, error) {
	if d := os.Getenv(CheckpointEnv); d != "" {
		return d, nil
	}
	if root, err := projectRoot(); err == nil {
		return filepath.Join(root, ".checkpoints"), nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("aelib: no checkpoint directory: set $%s (%v)", CheckpointEnv, err)
	}
	return filepath.Join(cache, "aelib", "checkpoints"), nil
}

// checkpoint file layout: magic, uint64 little-endian header length, JSON
// header, the float32 values of every variable in header order (little
// endian), then the SHA-256 of everything before it.
const ckptMagic = "AELIB-CKPT-1\n"

// ckptHeader describes a checkpoint.
type ckptHeader struct {
	Name    string
	Hyper   map[string]any `json:",omitempty"`
	Key     string         `json:",omitempty"`
	Created time.Time
	By      string // the notebook or program that trained it
	Vars    []ckptVar
	History *History `json:",omitempty"`
}

type ckptVar struct {
	Path string
	Dims []int
}

// CheckpointKey is the 12-hex-digit hash naming the checkpoint of this model
// trained on train with cfg. It covers the model's name, Hyper, the paths
// and shapes of its variables, the training hyperparameters, and the size
// and a fingerprint of the training images. A change to the model's code
// that keeps every shape (say, another activation) is not seen: change
// Name or Hyper then, or retrain.
func (ae *AE) CheckpointKey(train *Digits, cfg Config) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	_ = enc.Encode(ae.Name)
	_ = enc.Encode(ae.Hyper) // maps are encoded with sorted keys
	_ = enc.Encode(modelVars(ae.Store))
	_ = enc.Encode(cfg) // hooks and printing options are not encoded
	_ = enc.Encode(dataFingerprint(train))
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// dataFingerprint hashes the number of images, every 61st pixel and all labels.
func dataFingerprint(d *Digits) string {
	if d == nil {
		return ""
	}
	f := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(d.Len()))
	f.Write(b[:])
	for i := 0; i < len(d.X); i += 61 {
		binary.LittleEndian.PutUint32(b[:4], math.Float32bits(d.X[i]))
		f.Write(b[:4])
	}
	for _, l := range d.Labels {
		f.Write([]byte{byte(l)})
	}
	return fmt.Sprintf("%d:%x", d.Len(), f.Sum64())
}

// CheckpointPath is the file FitOrLoad uses for this model, data and config.
func (ae *AE) CheckpointPath(train *Digits, cfg Config) (string, error) {
	dir, err := CheckpointDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, safeName(ae.Name)+"-"+ae.CheckpointKey(train, cfg)+".ckpt"), nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string {
	s = strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_.")
	if s == "" {
		s = "model"
	}
	return s
}

// FitOrLoad trains the autoencoder like Fit, or, when a checkpoint for this
// model, training set and config exists, loads it instead (seconds rather
// than minutes). retrain forces training. After training it saves the
// checkpoint, History included, so a re-run can redraw the loss curve.
// It prints which it did. A checkpoint that is truncated or corrupted is
// reported and replaced by a new training. Taught in 02_autoencoder.
func (ae *AE) FitOrLoad(train *Digits, cfg Config, retrain bool) (h *History, loaded bool, err error) {
	train, cfg, err = prepare(train, cfg)
	if err != nil {
		return nil, false, err
	}
	path, err := ae.CheckpointPath(train, cfg)
	if err != nil {
		return nil, false, err
	}
	show := displayPath(path)
	switch {
	case retrain:
		fmt.Printf("training %s (retrain requested; will replace %s)\n", ae.Name, show)
	default:
		hd, err := ae.load(path)
		if err == nil {
			fmt.Printf("loaded checkpoint %s (trained %s by %s, %s)\n", show,
				hd.Created.Format("2006-01-02 15:04"), hd.By, describeHistory(hd.History))
			return ae.History, true, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Printf("training %s (no checkpoint %s yet)\n", ae.Name, show)
		} else {
			fmt.Printf("training %s again: %v\n", ae.Name, err)
		}
	}
	h, err = ae.fit(train, cfg)
	if err != nil {
		return nil, false, err
	}
	if err := ae.Save(path); err != nil {
		fmt.Printf("warning: %v (the trained model is still in memory)\n", err)
	} else {
		fmt.Printf("saved checkpoint %s\n", show)
	}
	return h, false, nil
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

// trainedBy names the notebook (or program) running now.
func trainedBy() string {
	for _, env := range []string{NotebookEnv, "JPY_SESSION_NAME"} {
		if v := os.Getenv(env); v != "" {
			return strings.TrimSuffix(filepath.Base(v), ".ipynb")
		}
	}
	return strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
}

// modelVars lists the encoder and decoder variables (and a classifier head),
// sorted by path.
func modelVars(store *model.Store) []ckptVar {
	var vs []ckptVar
	for v := range store.IterVariables() {
		if isModelVar(v.Path()) {
			vs = append(vs, ckptVar{Path: v.Path(), Dims: slices.Clone(v.Shape().Dimensions)})
		}
	}
	slices.SortFunc(vs, func(a, b ckptVar) int { return strings.Compare(a.Path, b.Path) })
	return vs
}

// Save writes the model's weights (encoder and decoder variables) and its
// History to path, atomically: a reader sees the old file or the new one,
// never half of one.
func (ae *AE) Save(path string) error {
	if err := ae.ready(); err != nil {
		return err
	}
	hd := ckptHeader{Name: ae.Name, Hyper: ae.Hyper, Created: time.Now(), By: trainedBy(),
		Vars: modelVars(ae.Store), History: ae.History}
	return saveCheckpoint(path, ae.Store, hd)
}

// Load replaces the model's weights (and History) by those saved in path.
// The checkpoint must hold exactly the model's variables with the same
// shapes; a truncated or corrupted file is an error and changes nothing.
func (ae *AE) Load(path string) error {
	_, err := ae.load(path)
	return err
}

func (ae *AE) load(path string) (*ckptHeader, error) {
	hd, values, err := readCheckpoint(path)
	if err != nil {
		return nil, err
	}
	if err := setVars(ae.Store, hd.Vars, values, path); err != nil {
		return nil, err
	}
	ae.History = hd.History
	ae.fresh = false
	return hd, nil
}

func saveCheckpoint(path string, store *model.Store, hd ckptHeader) error {
	fail := func(err error) error { return fmt.Errorf("aelib: saving checkpoint %s: %w", path, err) }
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

// readCheckpoint reads and verifies a checkpoint file. A missing file gives
// an error that matches fs.ErrNotExist.
func readCheckpoint(path string) (*ckptHeader, [][]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("aelib: checkpoint %s: %w", displayPath(path), err)
	}
	bad := func(why string) error {
		return fmt.Errorf("aelib: checkpoint %s rejected: %s (delete it or retrain)", displayPath(path), why)
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
	mismatch := func(why string) error {
		return fmt.Errorf("aelib: checkpoint %s does not fit this model: %s", displayPath(path), why)
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
			return fmt.Errorf("aelib: loading %s: %w", v.Path, err)
		}
	}
	return nil
}

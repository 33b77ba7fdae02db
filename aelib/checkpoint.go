package aelib

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

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

// save writes the model's weights and its History to path, with the
// fingerprints that named it (see fingerprints), atomically: a reader sees the old
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
	fail := func(err error) error { return errorf(ErrCheckpoint, "saving checkpoint %s: %w", path, err) }
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
		return nil, errorf(ErrCheckpoint, "checkpoint %s: not an aelib checkpoint", displayPath(path))
	}
	n := binary.LittleEndian.Uint64(pre[len(ckptMagic):])
	if n > 1<<24 {
		return nil, errorf(ErrCheckpoint, "checkpoint %s: header of %d bytes", displayPath(path), n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, errorf(ErrCheckpoint, "checkpoint %s: %w", displayPath(path), err)
	}
	hd := &ckptHeader{}
	if err := json.Unmarshal(b, hd); err != nil {
		return nil, errorf(ErrCheckpoint, "checkpoint %s: header unreadable: %w", displayPath(path), err)
	}
	return hd, nil
}

// readCheckpoint reads and verifies a checkpoint file. A missing file gives
// an error that matches fs.ErrNotExist.
func readCheckpoint(path string) (*ckptHeader, [][]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, errorf(ErrCheckpoint, "checkpoint %s: %w", displayPath(path), err)
	}
	bad := func(why string) error {
		return errorf(ErrCheckpoint, "checkpoint %s rejected: %s (delete it or retrain)", displayPath(path), why)
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
				return errorf(ErrCheckpoint, "loading %s: %w", v.Path, err)
			}
		}
		return nil
	}
	mismatch := func(why string) error {
		return errorf(ErrCheckpoint, "checkpoint %s does not fit this model: %s", displayPath(path), why)
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
			return errorf(ErrCheckpoint, "loading %s: %w", v.Path, err)
		}
	}
	return nil
}

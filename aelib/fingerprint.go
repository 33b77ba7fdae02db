package aelib

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
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
		return "", errorf(ErrCheckpoint, "no checkpoint directory: set $%s (%v)", checkpointEnv, err)
	}
	return filepath.Join(cache, "aelib", "checkpoints"), nil
}

// fingerprints returns the two fingerprints that name a checkpoint: code, of what the
// model computes (the graph of its training step, forward pass, loss and
// update, for a batch of two images), and settings, of the training
// settings, the training images and the variables' shapes. Any change to the
// model's code that changes what it computes, say one Tanh turned into a
// Sigmoid, changes code; a change of weights does not.
func (m *Model) fingerprints(train *Digits, cfg Config, step Step) (code, settings string, err error) {
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
		return "", errorf(ErrCheckpoint, "fingerprinting the model: %w", err)
	}
	var listing string
	err = runGraph("fingerprinting the model's training step", func() error {
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
// pair makes a 64-bit key.
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
	return filepath.Join(dir, fileName(name)+"-"+settings+"-"+code+".ckpt"), nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(s string) string {
	s = strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_.")
	if s == "" {
		s = "model"
	}
	return s
}

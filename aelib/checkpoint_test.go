package aelib

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// mlTrained returns a small AE trained for one epoch on d.
func mlTrained(t *testing.T, name string, d *Digits) *AE {
	t.Helper()
	ae := mlSmallAE(t, name)
	if _, err := ae.Fit(d, mlQuiet(1)); err != nil {
		t.Fatal(err)
	}
	return ae
}

func TestCheckpointRoundTrip(t *testing.T) {
	d := mlDigits(t, 300)
	ae := mlTrained(t, "roundtrip", d)
	want, err := ae.Reconstruct(d.X)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rt.ckpt")
	if err := ae.Save(path); err != nil {
		t.Fatal(err)
	}
	other := mlSmallAE(t, "roundtrip")
	if err := other.Load(path); err != nil {
		t.Fatal(err)
	}
	got, err := other.Reconstruct(d.X)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatal("reconstructions differ after Save and Load")
	}
	if other.History == nil || !slices.Equal(other.History.Steps, ae.History.Steps) {
		t.Error("History not restored")
	}
	// No temporary files are left behind.
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestCheckpointRejected(t *testing.T) {
	d := mlDigits(t, 200)
	ae := mlTrained(t, "corrupt", d)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.ckpt")
	if err := ae.Save(good); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	flip := slices.Clone(b)
	flip[len(flip)/2] ^= 0x40
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", b[:len(b)-1000], "checksum mismatch"},
		{"half", b[:len(b)/2], "checksum mismatch"},
		{"tiny", b[:20], "not an aelib checkpoint or truncated"},
		{"empty", nil, "not an aelib checkpoint or truncated"},
		{"bit flip", flip, "checksum mismatch"},
		{"not a checkpoint", []byte(strings.Repeat("PNG!", 100)), "not an aelib checkpoint"},
	}
	for _, tc := range tests {
		path := filepath.Join(dir, tc.name+".ckpt")
		if err := os.WriteFile(path, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		fresh := mlSmallAE(t, "corrupt")
		err := fresh.Load(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "rejected") {
			t.Errorf("%s: error %v, want rejection with %q", tc.name, err, tc.want)
		}
		if !fresh.fresh || fresh.History != nil {
			t.Errorf("%s: a rejected checkpoint changed the model", tc.name)
		}
	}
	// A checkpoint of another architecture does not fit.
	ref, err := ReferenceAE(mlBackend(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.Load(good); err == nil || !strings.Contains(err.Error(), "does not fit this model") {
		t.Errorf("loading a small AE into the reference: %v", err)
	}
}

func TestFitOrLoad(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(CheckpointEnv, dir)
	d := mlDigits(t, 300)
	cfg := mlQuiet(1)

	first := mlSmallAE(t, "fitorload")
	h1, loaded, err := first.FitOrLoad(d, cfg, false)
	if err != nil || loaded {
		t.Fatalf("first call: loaded=%v err=%v, want a training", loaded, err)
	}
	path, err := first.CheckpointPath(d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no checkpoint written: %v", err)
	}
	if !strings.HasPrefix(filepath.Base(path), "fitorload-") || filepath.Dir(path) != dir {
		t.Errorf("checkpoint path %s", path)
	}

	second := mlSmallAE(t, "fitorload")
	h2, loaded, err := second.FitOrLoad(d, cfg, false)
	if err != nil || !loaded {
		t.Fatalf("second call: loaded=%v err=%v, want a load", loaded, err)
	}
	if !slices.Equal(h1.Steps, h2.Steps) {
		t.Error("loaded History differs")
	}
	r1, _ := first.Reconstruct(d.X[:Pixels*5])
	r2, _ := second.Reconstruct(d.X[:Pixels*5])
	if !slices.Equal(r1, r2) {
		t.Error("loaded model reconstructs differently")
	}

	// Another config is another checkpoint.
	cfg2 := cfg
	cfg2.Seed = 1
	if p2, _ := first.CheckpointPath(d, cfg2); p2 == path {
		t.Error("seed not part of the checkpoint key")
	}
	// Hooks and printing do not change the key.
	cfg3 := cfg
	cfg3.Quiet, cfg3.OnStep = false, func(int, int, float64) {}
	if p3, _ := first.CheckpointPath(d, cfg3); p3 != path {
		t.Error("Quiet/OnStep changed the checkpoint key")
	}

	// A truncated checkpoint is reported and replaced by a new training.
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, b[:len(b)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	third := mlSmallAE(t, "fitorload")
	h3, loaded, err := third.FitOrLoad(d, cfg, false)
	if err != nil || loaded {
		t.Fatalf("after truncation: loaded=%v err=%v, want a new training", loaded, err)
	}
	if !slices.Equal(h3.Steps, h1.Steps) {
		t.Error("retraining with the same seed gave other losses")
	}
	if err := mlSmallAE(t, "fitorload").Load(path); err != nil {
		t.Errorf("the retrained checkpoint does not load: %v", err)
	}

	// retrain forces a training.
	if _, loaded, err := mlSmallAE(t, "fitorload").FitOrLoad(d, cfg, true); err != nil || loaded {
		t.Errorf("retrain: loaded=%v err=%v", loaded, err)
	}
}

func TestCheckpointDir(t *testing.T) {
	t.Setenv(CheckpointEnv, "")
	dir, err := CheckpointDir()
	if err != nil {
		t.Fatal(err)
	}
	root, err := projectRoot()
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(root, ".checkpoints") {
		t.Errorf("CheckpointDir = %s, want %s/.checkpoints", dir, root)
	}
	t.Setenv(CheckpointEnv, "/x/y")
	if dir, _ := CheckpointDir(); dir != "/x/y" {
		t.Errorf("with $%s: %s", CheckpointEnv, dir)
	}
}

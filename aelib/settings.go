package aelib

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// In GoNB every cell runs as a new program, so a flag given to the training
// cell (`%% --epochs=5`) is unknown to the cells after it. SaveSettings and
// UseSettings carry the training cell's flags to the later cells, so they
// rebuild the same model and load its checkpoint instead of training again.

// SaveSettings records the value of every flag of this cell under the
// notebook's name: the flags set on this cell's `%%` line, and for the others
// the values saved before (see UseSettings), so settings made in different
// cells add up. The cells that set a notebook's hyperparameters call it.
func SaveSettings(notebook string) error {
	if err := UseSettings(notebook); err != nil {
		return err
	}
	path, err := settingsPath(notebook)
	if err != nil {
		return err
	}
	os.Setenv(NotebookEnv, notebook) // names the notebook in the checkpoints this cell saves
	values := map[string]string{}
	flag.VisitAll(func(f *flag.Flag) {
		if !strings.HasPrefix(f.Name, "test.") {
			values[f.Name] = f.Value.String()
		}
	})
	b, err := json.MarshalIndent(values, "", "  ")
	if err != nil {
		return fmt.Errorf("aelib: settings of %s: %w", notebook, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("aelib: settings of %s: %w", notebook, err)
	}
	if err := writeAtomic(path, b); err != nil {
		return fmt.Errorf("aelib: settings of %s: %w", notebook, err)
	}
	return nil
}

// UseSettings gives every flag that this cell did not set itself the value
// the notebook last saved with SaveSettings, and prints those that differ
// from their defaults. Without saved settings the defaults stay.
func UseSettings(notebook string) error {
	path, err := settingsPath(notebook)
	if err != nil {
		return err
	}
	if os.Getenv(NotebookEnv) == "" {
		os.Setenv(NotebookEnv, notebook)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("aelib: settings of %s: %w", notebook, err)
	}
	var values map[string]string
	if err := json.Unmarshal(b, &values); err != nil {
		return fmt.Errorf("aelib: settings of %s in %s: %w (delete the file to start afresh)", notebook, path, err)
	}
	explicit := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	var changed []string
	for _, name := range slices.Sorted(maps.Keys(values)) {
		f := flag.Lookup(name)
		if f == nil || explicit[name] || f.Value.String() == values[name] {
			continue
		}
		if err := f.Value.Set(values[name]); err != nil { // not flag.Set: the flag stays "not set by this cell"
			return fmt.Errorf("aelib: settings of %s: flag --%s=%q: %w", notebook, name, values[name], err)
		}
		if values[name] != f.DefValue {
			changed = append(changed, fmt.Sprintf("--%s=%s", name, values[name]))
		}
	}
	if len(changed) > 0 {
		fmt.Printf("Settings from earlier cells of %s: %s\n", notebook, strings.Join(changed, " "))
	}
	return nil
}

// settingsPath names the file of a notebook's settings, apart for reduced
// (AELIB_QUICK) runs.
func settingsPath(notebook string) (string, error) {
	if notebook == "" || strings.ContainsAny(notebook, `/\`) || notebook == "." || notebook == ".." {
		return "", fmt.Errorf("aelib: notebook name %q invalid: use the notebook's file name without .ipynb, e.g. \"02_autoencoder\"", notebook)
	}
	dir, err := CheckpointDir()
	if err != nil {
		return "", err
	}
	if Quick() {
		notebook += ".quick"
	}
	return filepath.Join(dir, "settings", notebook+".json"), nil
}

// The training flags every notebook shares. A training cell sets them on its
// `%%` line, e.g. `%% --epochs=20 --batch=64 --lr=0.001`; FlagConfig reads
// them. Their defaults are the lecture's (DefaultConfig).
var (
	flagEpochs     = flag.Int("epochs", 20, "passes over the training digits")
	flagBatch      = flag.Int("batch", 64, "digits per training step")
	flagLR         = flag.Float64("lr", 1e-3, "Adam learning rate")
	flagHalveAfter = flag.Int("halve_after", 10, "halve the learning rate after this epoch (0: never)")
	flagSeed       = flag.Int64("seed", 42, "seed of the initial weights, the shuffling and the noise")
	flagNoise      = flag.Float64("noise", 0, "denoising: standard deviation of the Gaussian noise added to the inputs (0: none)")

	// Retrain is the --retrain flag: train even when a checkpoint with the
	// same settings exists.
	Retrain = flag.Bool("retrain", false, "train even when a checkpoint with these settings exists")
)

// FlagConfig returns the training Config given by the flags --epochs,
// --batch, --lr, --halve_after, --seed and --noise.
func FlagConfig() Config {
	return Config{Epochs: *flagEpochs, Batch: *flagBatch, LR: *flagLR, HalveAfter: *flagHalveAfter,
		Seed: *flagSeed, Noise: *flagNoise}
}

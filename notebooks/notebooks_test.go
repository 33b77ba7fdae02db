package notebooks

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// expectedClaims maps each lecture notebook to the claims it must record in AELIB_RESULTS.
// A new notebook must be added here: the test fails for a notebook it does not know.
var expectedClaims = map[string][]string{
	"00_setup":                 {},
	"01_flatten":               {"flatten-order"},
	"02_autoencoder":           {"ae-param-count", "ae-beats-baselines", "ae-reconstructs"},
	"03_stacked_autoencoder":   {"overcomplete-trains", "overcomplete-copies", "overcomplete-not-identity", "wide-hidden-narrow-code", "latent-size"},
	"04_embedding_space":       {"embedding-clusters"},
	"05_generation":            {"grid-generates-digits"},
	"06_denoising_autoencoder": {"dae-denoises", "dae-denoises-code2"},
	"07_pretraining":           {"pretraining-helps"},
	"11_performance":           {"xla-faster-than-go", "bigger-batch-faster", "bigger-batch-higher-loss"},
}

// holdsWhenQuick lists the claims that must hold even at AELIB_QUICK=1 sizes: they do not depend
// on how long or on how much data a model trains, or they compare trainings of the same size
// (bigger-batch-higher-loss: hundreds of weight updates against a few). The others are checked by
// `make lecture`. 11_performance's speed claims are left out: speed depends on the machine, its load
// and whether XLA starts there, and it is measured, never enforced (see aelib's TestSpeed).
var holdsWhenQuick = map[string]bool{
	"flatten-order":            true,
	"ae-param-count":           true,
	"bigger-batch-higher-loss": true,
}

// What aelib prints about checkpoints (aelib/checkpoint.go).
const (
	msgLoaded      = "loaded checkpoint"
	msgSaved       = "saved checkpoint"
	msgCodeChanged = "the model's code changed since this checkpoint"
)

// outputMust maps a lecture notebook to text its stdout must contain when the notebooks run in
// lecture order, sharing one checkpoint directory (TestNotebooks).
var outputMust = map[string][]string{
	// 04 and 05 reuse the model 02 trained instead of training their own; 06 reuses 02's too.
	"04_embedding_space":       {msgLoaded},
	"05_generation":            {msgLoaded},
	"06_denoising_autoencoder": {msgLoaded},
}

// The edits the tests make to the notebooks' code, as a student would. Each Old must occur in a
// code cell of its notebook exactly as written here: when a notebook's text changes, change it here.
var (
	// 02_autoencoder's settings cell: a 3-D code, and one epoch.
	edit02Latent = edit{Old: "latent = 2", New: "latent = 3"}
	edit02Epochs = edit{Old: "Epochs: 20", New: "Epochs: 1"}
	// 03_stacked_autoencoder's settings cell: other code sizes.
	edit03Codes = edit{Old: "codes = []int{2, 8, 32}", New: "codes = []int{4, 16}"}
	// 02_autoencoder's encoder: its first activation (TestModelCodeChange).
	edit02Activation = edit{Old: "x = Tanh(x)", New: "x = Sigmoid(x)"}
)

// cellTimeout is nbconvert's per-cell timeout in seconds, at AELIB_QUICK=1 sizes.
const cellTimeout = 600

// TestNotebooks executes every notebooks/NN_*.ipynb in a fresh GoNB kernel, headless, at reduced
// size (AELIB_QUICK=1), in lecture order and sharing one checkpoint directory as `make lecture`
// does (so 03 and 04 reuse the model 02 trained), and checks what a student would see: no errors
// or panics, a figure in every `// figure` cell, the claims the notebook is expected to record,
// and the text outputMust asks for.
func TestNotebooks(t *testing.T) {
	jupyter := jupyterPath(t)
	for name := range outputMust {
		if _, ok := expectedClaims[name]; !ok {
			t.Fatalf("outputMust names %s, which is not in expectedClaims", name)
		}
	}
	// The notebooks on disk and the ones expected (a missing one is skipped: it is being written).
	names := lectureNotebooks(t)
	for name := range expectedClaims {
		if !slices.Contains(names, name+".ipynb") {
			names = append(names, name+".ipynb")
		}
	}
	sort.Strings(names)
	ctx := testContext(t)
	checkpoints := t.TempDir() // one for the whole lecture
	for _, file := range names {
		name := strings.TrimSuffix(file, ".ipynb")
		t.Run(name, func(t *testing.T) {
			want, known := expectedClaims[name]
			if !known {
				t.Fatalf("%s is not in expectedClaims (notebooks_test.go): add it with the claim ids it records", file)
			}
			if _, err := os.Stat(file); os.IsNotExist(err) {
				t.Skipf("%s does not exist yet", file)
			}
			dir := t.TempDir()
			nb, elapsed := runNotebook(t, ctx, jupyter, file, dir, checkpoints)
			lines := nb.BackendLines()
			backend := `(no "Backend:" line printed)`
			if len(lines) > 0 {
				backend = clip(lines[0], 60)
			}
			if len(lines) != 1 {
				t.Errorf("%s: the backend is named %d times, want once: %q", file, len(lines), lines)
			}
			t.Logf("%-28s %6.1fs  %s", file, elapsed.Seconds(), backend)

			for _, p := range nb.Problems() {
				t.Errorf("%s: %s", file, p)
			}
			out := stdout(nb)
			for _, w := range outputMust[name] {
				if !strings.Contains(out, w) {
					t.Errorf("%s: output lacks %q", file, w)
				}
			}
			checkClaims(t, file, filepath.Join(dir, "results.jsonl"), want)
		})
	}
}

// checkClaims requires each expected claim id in the results file, with a numeric measurement,
// and holds==true for the claims in holdsWhenQuick.
func checkClaims(t *testing.T, file, results string, want []string) {
	t.Helper()
	claims, err := readClaims(results)
	if err != nil {
		t.Errorf("%s: reading %s: %v", file, envResults, err)
		return
	}
	byID := map[string][]claim{}
	for _, c := range claims {
		byID[c.ID] = append(byID[c.ID], c)
	}
	for _, id := range want {
		found := byID[id]
		if len(found) == 0 {
			t.Errorf("%s: claim %q not recorded in %s (got %d claims: %v)", file, id, envResults, len(claims), claimIDs(claims))
			continue
		}
		for _, c := range found {
			if len(c.numericMeasures()) == 0 {
				t.Errorf("%s: claim %q has no numeric value in \"measured\": %v", file, id, c.Measured)
			}
			if c.Holds == nil {
				t.Errorf("%s: claim %q has no \"holds\"", file, id)
			} else if holdsWhenQuick[id] && !*c.Holds {
				t.Errorf("%s: claim %q (%s) does not hold: measured %v", file, id, c.Claim, c.Measured)
			}
			t.Logf("  claim %-22s holds=%-5v measured=%v", id, c.Holds != nil && *c.Holds, c.Measured)
		}
	}
}

func claimIDs(claims []claim) []string {
	var ids []string
	for _, c := range claims {
		ids = append(ids, c.ID)
	}
	return ids
}

// variants are notebooks run with a student's edits to their settings cell: each must still run
// without errors and show what the edit asked for.
var variants = []struct {
	name     string
	notebook string
	edits    []edit
	want     []string // text the executed notebook's stdout must contain
}{
	{"02 with a 3-D code and one epoch", "02_autoencoder.ipynb",
		[]edit{edit02Latent, edit02Epochs},
		[]string{"code dim 3", "epochs=1 "}},
	{"03 with other code sizes", "03_stacked_autoencoder.ipynb",
		[]edit{edit03Codes},
		[]string{"code size   parameters", "       16 "}},
}

// TestNotebookVariants runs the variants at reduced size (AELIB_QUICK=1), each with fresh checkpoints.
func TestNotebookVariants(t *testing.T) {
	jupyter := jupyterPath(t)
	ctx := testContext(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			if _, err := os.Stat(v.notebook); err != nil {
				t.Skipf("%s: %v", v.notebook, err)
			}
			file := editedCopy(t, v.notebook, "zz_variant_", v.edits)
			dir := t.TempDir()
			nb, elapsed := runNotebook(t, ctx, jupyter, file, dir, filepath.Join(dir, "checkpoints"))
			t.Logf("%s: %.1fs", v.name, elapsed.Seconds())
			for _, p := range nb.Problems() {
				t.Errorf("%s: %s", v.name, p)
			}
			out := stdout(nb)
			for _, w := range v.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s: output lacks %q", v.name, w)
				}
			}
		})
	}
}

// TestModelCodeChange is the student who changes the model's code after training it: 02 runs once
// and saves its checkpoint; then a copy whose encoder uses another activation runs with the same
// checkpoint directory. The checkpoint no longer fits the code: the second run must say so and
// train, never load the stale model. Both at reduced size (AELIB_QUICK=1).
func TestModelCodeChange(t *testing.T) {
	jupyter := jupyterPath(t)
	ctx := testContext(t)
	const notebook = "02_autoencoder.ipynb"
	if _, err := os.Stat(notebook); err != nil {
		t.Skipf("%s: %v", notebook, err)
	}
	checkpoints := t.TempDir()
	changed := editedCopy(t, notebook, "zz_codechange_", []edit{edit02Activation})

	// The cells after the training cell load the model it saved: "loaded checkpoint" may appear in
	// the second run, but only after its training cell trained and saved the changed model.
	runs := []struct {
		file                string
		want, wantNotBefore []string // wantNotBefore: absent before the first "saved checkpoint"
	}{
		{notebook, []string{msgSaved}, nil},
		{changed, []string{msgCodeChanged, msgSaved}, []string{msgLoaded}},
	}
	for i, r := range runs {
		nb, elapsed := runNotebook(t, ctx, jupyter, r.file, t.TempDir(), checkpoints)
		t.Logf("run %d, %s: %.1fs", i+1, r.file, elapsed.Seconds())
		for _, p := range nb.Problems() {
			t.Errorf("run %d, %s: %s", i+1, r.file, p)
		}
		out := stdout(nb)
		for _, w := range r.want {
			if !strings.Contains(out, w) {
				t.Errorf("run %d, %s: output lacks %q", i+1, r.file, w)
			}
		}
		before, _, _ := strings.Cut(out, msgSaved)
		for _, w := range r.wantNotBefore {
			if strings.Contains(before, w) {
				t.Errorf("run %d, %s: output contains %q before the changed model was saved", i+1, r.file, w)
			}
		}
		if t.Failed() {
			return // the second run means nothing without the first one's checkpoint
		}
	}
}

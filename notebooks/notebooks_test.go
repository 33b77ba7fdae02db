package notebooks

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// expectedClaims maps each lecture notebook to the claims it must record in AELIB_RESULTS.
// A new notebook must be added here: the test fails for a notebook it does not know.
var expectedClaims = map[string][]string{
	"00_setup":               {},
	"01_flatten":             {"flatten-order"},
	"02_autoencoder":         {"ae-param-count", "ae-loss-falls", "ae-reconstructs"},
	"03_stacked_autoencoder": {"overcomplete-trains", "overcomplete-copies", "overcomplete-not-identity", "latent-size"},
	"04_embedding_space":     {"embedding-clusters"},
}

// holdsWhenQuick lists the claims that must hold even at AELIB_QUICK=1 sizes: they do not depend
// on how long or on how much data a model trains. The others are checked by `make lecture`.
var holdsWhenQuick = map[string]bool{
	"flatten-order":  true,
	"ae-param-count": true,
	"ae-loss-falls":  true,
}

// cellTimeout is nbconvert's per-cell timeout in seconds, at AELIB_QUICK=1 sizes.
const cellTimeout = 600

// TestNotebooks executes every notebooks/NN_*.ipynb in a fresh GoNB kernel, headless, at reduced
// size (AELIB_QUICK=1), one after the other, and checks what a student would see: no errors or
// panics, a figure in every `// figure` cell, and the claims the notebook is expected to record.
func TestNotebooks(t *testing.T) {
	jupyter := jupyterPath(t)
	// The notebooks on disk and the ones expected (a missing one is skipped: it is being written).
	names := lectureNotebooks(t)
	for name := range expectedClaims {
		if !slices.Contains(names, name+".ipynb") {
			names = append(names, name+".ipynb")
		}
	}
	sort.Strings(names)
	ctx := testContext(t)
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
			results := filepath.Join(dir, "results.jsonl")
			executed := filepath.Join(dir, file)
			abs, _ := filepath.Abs(file)
			cmd := exec.CommandContext(ctx, jupyter, "nbconvert",
				"--to", "notebook", "--execute", "--allow-errors",
				"--ExecutePreprocessor.kernel_name=gonb",
				fmt.Sprintf("--ExecutePreprocessor.timeout=%d", cellTimeout),
				"--output-dir", dir, "--output", file, abs)
			// Checkpoints of quick runs go to a temporary directory: they must never stand in for a
			// student's full training in .checkpoints/.
			cmd.Env = jupyterEnv(t, jupyter, envQuick+"=1", envResults+"="+results,
				envCheckpoints+"="+filepath.Join(dir, "checkpoints"))
			elapsed, err := runLogged(ctx, cmd, filepath.Join(dir, "nbconvert.log"))
			if err != nil {
				t.Fatalf("executing %s: %v", file, err)
			}
			nb, err := readNotebook(executed)
			if err != nil {
				t.Fatal(err)
			}
			lines := nb.backendLines()
			backend := `(no "Backend:" line printed)`
			if len(lines) > 0 {
				backend = clip(lines[0], 60)
			}
			if len(lines) != 1 {
				t.Errorf("%s: the backend is named %d times, want once: %q", file, len(lines), lines)
			}
			t.Logf("%-28s %6.1fs  %s", file, elapsed.Seconds(), backend)

			for _, p := range nb.problems() {
				t.Errorf("%s: %s", file, p)
			}
			checkClaims(t, file, results, want)
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

// variants are notebooks run with a student's edits to their `%%` lines: each must still run
// without errors and show what the edit asked for.
var variants = []struct {
	name     string
	notebook string
	edits    map[string]string // old → new, each must occur in the notebook's source
	want     []string          // text the executed notebook's outputs must contain
}{
	{"02 with a 3-D code and one epoch", "02_autoencoder.ipynb",
		map[string]string{"%% --latent=2": "%% --latent=3", "%% --epochs=20": "%% --epochs=1"},
		[]string{`AE "reference-latent3": code dim 3`, "epochs=1 ", "Settings from earlier cells of 02_autoencoder: --latent=3"}},
	{"03 with other code sizes", "03_stacked_autoencoder.ipynb",
		map[string]string{"--codes=2,8,32": "--codes=4,16"},
		[]string{"code size   parameters", "       16 "}},
}

// TestNotebookVariants runs the variants at reduced size (AELIB_QUICK=1).
func TestNotebookVariants(t *testing.T) {
	jupyter := jupyterPath(t)
	ctx := testContext(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			src, err := os.ReadFile(v.notebook)
			if err != nil {
				t.Skipf("%s: %v", v.notebook, err)
			}
			edited := string(src)
			for old, repl := range v.edits {
				if !strings.Contains(edited, old) {
					t.Fatalf("%s has no %q to edit", v.notebook, old)
				}
				edited = strings.ReplaceAll(edited, old, repl)
			}
			// The edited copy sits next to the original, so its first cell finds go.mod at "${GONB_DIR}/..".
			file := "zz_variant_" + v.notebook
			if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(file) })
			dir := t.TempDir()
			abs, _ := filepath.Abs(file)
			cmd := exec.CommandContext(ctx, jupyter, "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
				"--ExecutePreprocessor.kernel_name=gonb", fmt.Sprintf("--ExecutePreprocessor.timeout=%d", cellTimeout),
				"--output-dir", dir, "--output", file, abs)
			cmd.Env = jupyterEnv(t, jupyter, envQuick+"=1", envResults+"="+filepath.Join(dir, "results.jsonl"),
				envCheckpoints+"="+filepath.Join(dir, "checkpoints"))
			elapsed, err := runLogged(ctx, cmd, filepath.Join(dir, "nbconvert.log"))
			if err != nil {
				t.Fatalf("executing %s: %v", file, err)
			}
			nb, err := readNotebook(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %.1fs", v.name, elapsed.Seconds())
			for _, p := range nb.problems() {
				t.Errorf("%s: %s", v.name, p)
			}
			var out strings.Builder
			for _, c := range nb.codeCells() {
				out.WriteString(c.stream("stdout"))
			}
			for _, w := range v.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("%s: output lacks %q", v.name, w)
				}
			}
		})
	}
}

package notebooks

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aelecture/autoencoder-go/aelib/claim"
)

// expectedClaims maps each lecture notebook to the claims it must record in AELIB_RESULTS.
// A new notebook must be added here: the test fails for a notebook it does not know.
var expectedClaims = map[string][]string{
	"00_setup":                 {},
	"01_flatten":               {"flatten-order"},
	"02_autoencoder":           {"ae-param-count", "ae-beats-baselines", "ae-reconstructs"},
	"03_stacked_autoencoder":   {"overcomplete-trains", "overcomplete-copies", "overcomplete-not-identity", "wide-hidden-narrow-code", "latent-size"},
	"04_embedding_space":       {"embedding-clusters"},
	"05_generation":            {"grid-generates-digits", "random-codes-not-digits"},
	"06_denoising_autoencoder": {"dae-denoises", "dae-denoises-code2"},
	"07_pretraining":           {"pretraining-helps", "pretraining-small-net"},
	"08_vae":                   {"vae-prior-samples"},
	"09_conv_autoencoder":      {"conv-vs-mlp"},
	"10_anomaly_detection":     {"anomaly-detects"},
	"11_performance":           {"xla-faster-than-go", "bigger-batch-faster", "bigger-batch-higher-loss"},
}

// holdsWhenQuick lists the claims that must hold even at AELIB_QUICK=1 sizes: they do not depend
// on how long or on how much data a model trains, or they compare trainings of the same size
// (bigger-batch-higher-loss: hundreds of weight updates against a few). The others are checked by
// `make lecture`. 11_performance's speed claims are left out: speed depends on the machine, its load
// and whether XLA starts there, and it is measured, never enforced (see .ci/bench/gomlx).
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

// loadsFrom maps a run to the notebooks whose trained models it uses: 03 loads 02's model (its
// code-2 stack), 04 loads it, 05, 06 and 08 load it and 03's code-32 model, 09 loads 03's code-32
// model; the code-change run edits
// the code of 02's model after 02 saved it. TestNotebooks runs each after those, on one checkpoint
// directory, and requires of the notebooks that they load at least one model each of those saved
// and train none of the models those saved (by name): a copy of a model's code that drifted from
// the notebook that trains it (aelib.ReferenceAE against 02's own code) would train anew and fail.
var loadsFrom = map[string][]string{
	"03_stacked_autoencoder":   {"02_autoencoder"},
	"04_embedding_space":       {"02_autoencoder"},
	"05_generation":            {"02_autoencoder", "03_stacked_autoencoder"},
	"06_denoising_autoencoder": {"02_autoencoder", "03_stacked_autoencoder"},
	"08_vae":                   {"02_autoencoder", "03_stacked_autoencoder"},
	"09_conv_autoencoder":      {"03_stacked_autoencoder"},
	"code change":              {"02_autoencoder"},
}

// The edits the tests make to the notebooks' code, as a student would. Each Old must occur in a
// code cell of its notebook exactly as written here: when a notebook's text changes, change it here.
var (
	// 02_autoencoder's settings cell: a 3-D code, and one epoch.
	edit02Latent = edit{Old: "latent = 2", New: "latent = 3"}
	edit02Epochs = edit{Old: "Epochs: 20", New: "Epochs: 1"}
	// 03_stacked_autoencoder's settings cell: other code sizes.
	edit03Codes = edit{Old: "codes = []int{2, 8, 32}", New: "codes = []int{4, 16}"}
	// 02_autoencoder's encoder: its first activation (the code-change run of TestNotebooks).
	edit02Activation = edit{Old: "x = Tanh(x)", New: "x = Sigmoid(x)"}
)

// cellTimeout is nbconvert's per-cell timeout in seconds, at AELIB_QUICK=1 sizes.
const cellTimeout = 600

// TestNotebooks executes every notebooks/NN_*.ipynb in a fresh GoNB kernel, headless, at reduced
// size (AELIB_QUICK=1), sharing one checkpoint directory as `make lecture` does, and checks what a
// student would see: no errors or panics, a figure in every `// figure` cell, the claims the
// notebook is expected to record, and that it loads the models of the notebooks in loadsFrom
// instead of training them again. It also runs the variants (a student's edits to the settings)
// and the code-change check on the same checkpoints. The runs are independent processes: they go
// `go test -parallel` at a time (GOMAXPROCS by default), each after the runs it loads from. A
// table of the time per run ends the log.
func TestNotebooks(t *testing.T) {
	jupyter := jupyterPath(t)
	for name, deps := range loadsFrom {
		for _, n := range append([]string{name}, deps...) {
			if _, ok := expectedClaims[n]; !ok && n != "code change" {
				t.Fatalf("loadsFrom names %s, which is not in expectedClaims", n)
			}
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
	times := &timeTable{}
	outs := &outputs{m: map[string]string{}}

	var runs []run
	for _, file := range names {
		name := strings.TrimSuffix(file, ".ipynb")
		runs = append(runs, run{name, func(t *testing.T) {
			out := checkNotebook(t, ctx, jupyter, file, checkpoints, times)
			checkLoads(t, name, out, outs)
			outs.set(name, out)
		}})
	}
	for _, v := range variants {
		runs = append(runs, run{"variant: " + v.name, func(t *testing.T) { checkVariant(t, ctx, jupyter, v, times) }})
	}
	runs = append(runs, run{"code change", func(t *testing.T) { checkCodeChange(t, ctx, jupyter, checkpoints, times) }})
	runAll(t, parallelism(), runs, loadsFrom)
	t.Logf("time per run (%d at a time):\n%s", parallelism(), times)
}

// checkNotebook runs one lecture notebook headless and checks it (see TestNotebooks). It returns
// what the notebook printed on stdout.
func checkNotebook(t *testing.T, ctx context.Context, jupyter, file, checkpoints string, times *timeTable) string {
	name := strings.TrimSuffix(file, ".ipynb")
	want, known := expectedClaims[name]
	if !known {
		t.Fatalf("%s is not in expectedClaims (notebooks_test.go): add it with the claim ids it records", file)
	}
	if _, err := os.Stat(file); os.IsNotExist(err) {
		t.Skipf("%s does not exist yet", file)
	}
	dir := t.TempDir()
	nb, elapsed := runNotebook(t, ctx, jupyter, file, dir, checkpoints)
	times.add(name, nb, elapsed)
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
	checkClaims(t, file, filepath.Join(dir, "results.jsonl"), want)
	return stdout(nb)
}

// outputs holds what each lecture notebook of TestNotebooks printed, for the runs that load its models.
type outputs struct {
	mu sync.Mutex
	m  map[string]string
}

func (o *outputs) set(name, out string) { o.mu.Lock(); o.m[name] = out; o.mu.Unlock() }
func (o *outputs) get(name string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.m[name]
}

var (
	// "saved checkpoint DIR/NAME-SETTINGSKEY-CODEKEY.ckpt"
	savedLine = regexp.MustCompile(`(?m)^saved checkpoint (\S*?([^/\s]+)-[0-9a-f]{12}-[0-9a-f]{12}\.ckpt)$`)
	// "training NAME: why", "training NAME again: why", "training NAME (retrain requested; …)"
	trainingLine = regexp.MustCompile(`(?m)^training ([^\s:(]+)(?::| again:| \(retrain)`)
)

// checkLoads reports the loadProblems of the run name, which printed out.
func checkLoads(t *testing.T, name, out string, outs *outputs) {
	t.Helper()
	deps := map[string]string{}
	for _, dep := range loadsFrom[name] {
		deps[dep] = outs.get(dep)
	}
	for _, p := range loadProblems(name, out, deps) {
		t.Error(p)
	}
}

// loadProblems checks that the run name, which printed out, loaded the models of the notebooks
// whose outputs deps holds (notebook → stdout) instead of training them: it loads at least one
// checkpoint each of them saved, and trains no model of a name they saved.
func loadProblems(name, out string, deps map[string]string) []string {
	trained := map[string]bool{}
	for _, m := range trainingLine.FindAllStringSubmatch(out, -1) {
		trained[m[1]] = true
	}
	var problems []string
	for _, dep := range slices.Sorted(maps.Keys(deps)) {
		saved := savedLine.FindAllStringSubmatch(deps[dep], -1)
		if len(saved) == 0 {
			problems = append(problems, fmt.Sprintf("%s: %s saved no checkpoint to load", name, dep))
			continue
		}
		loadedOne := false
		for _, m := range saved {
			path, model := m[1], m[2]
			loadedOne = loadedOne || strings.Contains(out, msgLoaded+" "+path)
			if trained[model] {
				problems = append(problems, fmt.Sprintf("%s trained the model %q itself instead of loading the one %s saved (%s): "+
					"its code or settings differ from %s's", name, model, dep, path, dep))
			}
		}
		if !loadedOne {
			problems = append(problems, fmt.Sprintf("%s: loaded none of the checkpoints %s saved", name, dep))
		}
	}
	return problems
}

// checkClaims requires each expected claim id in the results file, each claim valid (a valid
// outcome that its "holds" agrees with, and at least one measured number: see claim.Check), and
// the outcome holds for the claims in holdsWhenQuick.
func checkClaims(t *testing.T, file, results string, want []string) {
	t.Helper()
	claims, err := claim.ReadFile(results)
	if err != nil {
		t.Errorf("%s: reading %s: %v", file, envResults, err)
		return
	}
	byID := map[string][]claim.Claim{}
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
			if holdsWhenQuick[id] && c.Outcome != claim.Holds {
				t.Errorf("%s: claim %q (%s) does not hold: measured %v", file, id, c.Text, c.Measured)
			}
			t.Logf("  claim %-22s %-13s measured=%v", id, c.Outcome, c.Measured)
		}
	}
}

func claimIDs(claims []claim.Claim) []string {
	var ids []string
	for _, c := range claims {
		ids = append(ids, c.ID)
	}
	return ids
}

// variant is a notebook run with a student's edits to its settings cell: it must still run
// without errors and show what the edit asked for.
type variant struct {
	name     string
	notebook string
	edits    []edit
	want     []string // text the executed notebook's stdout must contain
}

var variants = []variant{
	{"02 with a 3-D code and one epoch", "02_autoencoder.ipynb",
		[]edit{edit02Latent, edit02Epochs},
		[]string{"code dim 3", "epochs=1 "}},
	{"03 with other code sizes", "03_stacked_autoencoder.ipynb",
		[]edit{edit03Codes},
		[]string{"code size   parameters", "       16 "}},
}

// checkVariant runs a variant at reduced size (AELIB_QUICK=1) with checkpoints of its own: its
// models have other settings than the lecture's, so there is nothing to reuse.
func checkVariant(t *testing.T, ctx context.Context, jupyter string, v variant, times *timeTable) {
	if _, err := os.Stat(v.notebook); err != nil {
		t.Skipf("%s: %v", v.notebook, err)
	}
	file := editedCopy(t, v.notebook, "zz_variant_", v.edits)
	dir := t.TempDir()
	nb, elapsed := runNotebook(t, ctx, jupyter, file, dir, filepath.Join(dir, "checkpoints"))
	times.add("variant: "+v.name, nb, elapsed)
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
}

// checkCodeChange is the student who changes the model's code after training it: it runs a copy
// of 02 whose encoder uses another activation on the checkpoints where 02 saved its model (so it
// runs after 02; TestNotebooks sees to that). The checkpoint no longer fits the code: the run must
// say so and train, never load the stale model. At reduced size (AELIB_QUICK=1).
func checkCodeChange(t *testing.T, ctx context.Context, jupyter, checkpoints string, times *timeTable) {
	const notebook = "02_autoencoder.ipynb"
	if _, err := os.Stat(notebook); err != nil {
		t.Skipf("%s: %v", notebook, err)
	}
	if saved, _ := filepath.Glob(filepath.Join(checkpoints, "*.ckpt")); len(saved) == 0 {
		t.Fatalf("no checkpoint of %s in %s: the changed code has nothing to differ from", notebook, checkpoints)
	}
	changed := editedCopy(t, notebook, "zz_codechange_", []edit{edit02Activation})
	nb, elapsed := runNotebook(t, ctx, jupyter, changed, t.TempDir(), checkpoints)
	times.add("code change", nb, elapsed)
	t.Logf("%s: %.1fs", changed, elapsed.Seconds())
	for _, p := range nb.Problems() {
		t.Errorf("%s: %s", changed, p)
	}
	out := stdout(nb)
	for _, w := range []string{msgCodeChanged, msgSaved} {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q", changed, w)
		}
	}
	// The cells after the training cell load the model it saved: "loaded checkpoint" may appear,
	// but only after the training cell trained and saved the changed model.
	if before, _, _ := strings.Cut(out, msgSaved); strings.Contains(before, msgLoaded) {
		t.Errorf("%s: output contains %q before the changed model was saved", changed, msgLoaded)
	}
}

// TestLoadProblems: the reuse check of TestNotebooks on outputs as aelib prints them.
func TestLoadProblems(t *testing.T) {
	const (
		ckpt  = "/tmp/c/reference-1f597ca6717b-1fbccbfd0447.ckpt"
		saved = "training reference: no checkpoint yet; will save " + ckpt + "\nsaved checkpoint " + ckpt + "\n"
	)
	tests := []struct {
		name, out string
		deps      map[string]string
		want      []string // substrings, one per problem
	}{
		{"loads", "loaded checkpoint " + ckpt + " (trained …)\n", map[string]string{"02": saved}, nil},
		{"trains its own models too", "loaded checkpoint " + ckpt + " (…)\ntraining code8: no checkpoint yet; will save x\n",
			map[string]string{"02": saved}, nil},
		{"code drifted", "training reference: the model's code changed since this checkpoint: " + ckpt +
			"\nsaved checkpoint /tmp/c/reference-1f597ca6717b-aaaaaaaaaaaa.ckpt\n" +
			"loaded checkpoint /tmp/c/reference-1f597ca6717b-aaaaaaaaaaaa.ckpt\n",
			map[string]string{"02": saved}, []string{`trained the model "reference" itself`, "loaded none of the checkpoints 02 saved"}},
		{"first call trains, later ones load", "training reference: no checkpoint for these settings yet\nloaded checkpoint " + ckpt + "\n",
			map[string]string{"02": saved}, []string{`trained the model "reference" itself`}},
		{"dependency saved nothing", "loaded checkpoint " + ckpt + "\n", map[string]string{"02": "no checkpoints here\n"},
			[]string{"02 saved no checkpoint"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := loadProblems("04", tc.out, tc.deps)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems %q, want %d like %q", len(got), got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

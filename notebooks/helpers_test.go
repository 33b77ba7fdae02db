package notebooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// Environment variables shared with the Makefile and the notebooks.
const (
	envJupyter     = "AELIB_JUPYTER"        // absolute path of the venv's jupyter (set by make test)
	envRunner      = "AELIB_BROWSER_RUNNER" // absolute path of .ci/browser/run.mjs (set by make test)
	envQuick       = "AELIB_QUICK"          // "1": notebooks shrink epochs and data sizes
	envResults     = "AELIB_RESULTS"        // file the notebooks append their claims to, one JSON per line
	envCheckpoints = "AELIB_CHECKPOINTS"    // where aelib keeps trained models (default: .checkpoints/ in the repo)
)

// lectureNotebook matches the lecture's notebooks: NN_topic.ipynb.
var lectureNotebook = regexp.MustCompile(`^[0-9][0-9]_.*\.ipynb$`)

// repoRoot is the module root: the parent of this package's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(wd)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod in %s: the notebooks' preamble needs the module root next to notebooks/", root)
	}
	return root
}

// jupyterPath returns the venv's jupyter. It fails the test (never skips) when Jupyter is not set up,
// since a green run that executed no notebook would hide that nothing was checked.
func jupyterPath(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: notebooks are not executed")
	}
	jupyter := os.Getenv(envJupyter)
	if jupyter == "" {
		// After `make setup` the venv is there even when go test is called directly.
		candidate := filepath.Join(repoRoot(t), ".venv", "bin", "jupyter")
		if _, err := os.Stat(candidate); err == nil {
			jupyter = candidate
		}
	}
	if jupyter == "" {
		t.Fatalf("%s is not set and .venv/bin/jupyter does not exist: run `make test` "+
			"(it installs JupyterLab and the GoNB kernel into .venv/ and runs go test with the right environment); "+
			"`go test -short ./...` skips the notebooks", envJupyter)
	}
	if _, err := os.Stat(jupyter); err != nil {
		t.Fatalf("%s=%q: %v; run `make test` to set up Jupyter", envJupyter, jupyter, err)
	}
	return jupyter
}

// jupyterEnv is the environment for Jupyter processes (see jupyterVars), with Jupyter's runtime
// files in a temporary directory of the test, and the NAME=value pairs of extra.
func jupyterEnv(t *testing.T, jupyter string, extra ...string) []string {
	return mergeEnv(os.Environ(), append(jupyterVars(jupyter, t.TempDir()), extra...))
}

// lectureNotebooks lists notebooks/NN_*.ipynb in lecture order.
func lectureNotebooks(t *testing.T) []string {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && lectureNotebook.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// runNotebook executes file, a notebook in this directory, in a fresh GoNB kernel with Run at
// reduced size (AELIB_QUICK=1). The executed copy and nbconvert's log go to dir, the claims the
// notebook records to dir/results.jsonl, and its checkpoints to ckpt (quick runs keep them away
// from .checkpoints/: they must never stand in for a student's full training).
func runNotebook(t *testing.T, ctx context.Context, jupyter, file, dir, ckpt string) (*Notebook, time.Duration) {
	t.Helper()
	r, err := Run(ctx, file, RunOptions{Jupyter: jupyter, OutDir: dir, CellTimeout: cellTimeout * time.Second,
		Env: []string{envQuick + "=1", envResults + "=" + filepath.Join(dir, "results.jsonl"), envCheckpoints + "=" + ckpt}})
	if err != nil {
		t.Fatalf("executing %s: %v", file, err)
	}
	return r.Notebook, r.Elapsed
}

// stdout returns what the notebook's code cells printed on stdout, in order.
func stdout(nb *Notebook) string {
	var sb strings.Builder
	for _, c := range nb.CodeCells() {
		sb.WriteString(c.Stream("stdout"))
	}
	return sb.String()
}

// edit is a change a student makes to a notebook's code: Old, in the first code cell that holds
// it, becomes New (its first occurrence there).
type edit struct{ Old, New string }

// editedCopy writes a copy of the notebook file with the edits applied, next to the original (so
// its first cell finds go.mod at "${GONB_DIR}/.."), as prefix+file, removed when the test ends. It
// returns the copy's name. The test fails if an edit's Old is in no code cell.
func editedCopy(t *testing.T, file, prefix string, edits []edit) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading %s: %v", file, err)
	}
	edited, err := applyEdits(b, edits)
	if err != nil {
		t.Fatalf("editing %s: %v", file, err)
	}
	out := prefix + file
	if err := os.WriteFile(out, edited, 0o644); err != nil {
		t.Fatalf("writing the edited copy of %s: %v", file, err)
	}
	t.Cleanup(func() { os.Remove(out) })
	return out
}

// applyEdits applies edits to the code cells of an .ipynb file's JSON; the rest of the notebook
// is kept as it is (in JSON, though not byte for byte).
func applyEdits(ipynb []byte, edits []edit) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(ipynb))
	dec.UseNumber()
	var nb map[string]any
	if err := dec.Decode(&nb); err != nil {
		return nil, fmt.Errorf("not valid .ipynb JSON: %w", err)
	}
	cells, _ := nb["cells"].([]any)
	for _, e := range edits {
		done := false
		for _, c := range cells {
			cell, _ := c.(map[string]any)
			if cell == nil || cell["cell_type"] != "code" {
				continue
			}
			src := sourceText(cell["source"])
			if strings.Contains(src, e.Old) {
				cell["source"] = strings.Replace(src, e.Old, e.New, 1)
				done = true
				break
			}
		}
		if !done {
			return nil, fmt.Errorf("no code cell holds %q (to change into %q): update the edit in notebooks_test.go", e.Old, e.New)
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		return nil, fmt.Errorf("encoding the edited notebook: %w", err)
	}
	return out.Bytes(), nil
}

// sourceText joins a cell's source, stored as a string or as a list of lines.
func sourceText(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []any:
		var sb strings.Builder
		for _, line := range s {
			if l, ok := line.(string); ok {
				sb.WriteString(l)
			}
		}
		return sb.String()
	}
	return ""
}

// testContext ends a little before the test binary's -timeout, so a hung notebook fails with a message.
func testContext(t *testing.T) context.Context {
	ctx := context.Background()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
		t.Cleanup(cancel)
	}
	return ctx
}

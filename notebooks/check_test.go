package notebooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The executed notebooks `make lecture` committed in docs/lecture/ must pass the checks that
// lecture.sh applies to them, each naming its backend once.
func TestCommittedLectureIsClean(t *testing.T) {
	files, err := filepath.Glob("../docs/lecture/[0-9][0-9]_*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no executed notebooks in docs/lecture/")
	}
	for _, f := range files {
		nb, err := ReadNotebook(f)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, p := range nb.Problems() {
			t.Errorf("%s: %s", filepath.Base(f), p)
		}
		if lines := nb.BackendLines(); len(lines) != 1 {
			t.Errorf("%s: the backend is named %d times, want once: %q", filepath.Base(f), len(lines), lines)
		}
		t.Logf("%s: backend %s, %d code cells", filepath.Base(f), nb.Backend(), len(nb.CodeCells()))
	}
}

// applyEdits changes the first code cell that holds each edit's text, once, and nothing else.
func TestApplyEdits(t *testing.T) {
	src := []byte(`{"cells": [
 {"cell_type": "markdown", "source": "Epochs: 20 in the text"},
 {"cell_type": "code", "source": ["x = Tanh(x)\n", "x = Tanh(x)\n"], "outputs": [], "execution_count": 3},
 {"cell_type": "code", "source": "cfg := Config{Epochs: 20} // <b>&</b>", "outputs": []}
], "metadata": {"kernelspec": {"name": "gonb"}}, "nbformat": 4, "nbformat_minor": 5}`)
	out, err := applyEdits(src, []edit{{"Epochs: 20", "Epochs: 1"}, {"x = Tanh(x)", "x = Sigmoid(x)"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "e.ipynb")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	nb, err := ReadNotebook(path)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{string(nb.Cells[0].Source), string(nb.Cells[1].Source), string(nb.Cells[2].Source)}
	want := []string{"Epochs: 20 in the text", "x = Sigmoid(x)\nx = Tanh(x)\n", "cfg := Config{Epochs: 1} // <b>&</b>"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d: %q, want %q", i, got[i], want[i])
		}
	}
	if !strings.Contains(string(out), `"execution_count": 3`) || !strings.Contains(string(out), `"nbformat_minor": 5`) {
		t.Errorf("numbers not kept: %s", out)
	}
	if _, err := applyEdits(src, []edit{{"latent  = 2", "latent  = 3"}}); err == nil || !strings.Contains(err.Error(), "latent  = 2") {
		t.Errorf("a missing edit: err = %v", err)
	}
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeJupyter stands in for `jupyter nbconvert`: it copies the input, a notebook already
// executed, to the output (with --to html it writes a page instead), and appends its arguments
// and some of its environment to $FAKE_TRACE. A notebook named hang_*.ipynb fails as nbconvert
// does when a cell runs past its timeout.
const fakeJupyter = `#!/bin/sh
[ "$1" = nbconvert ] || exit 3
shift
echo "args: $*" >>"$FAKE_TRACE"
echo "env: AELIB_X=$AELIB_X PATH=$PATH" >>"$FAKE_TRACE"
[ -d "$JUPYTER_RUNTIME_DIR" ] && echo "runtime: $JUPYTER_RUNTIME_DIR" >>"$FAKE_TRACE"
to= out= name= in=
while [ $# -gt 0 ]; do
  case "$1" in
    --to) to=$2; shift 2;;
    --output-dir) out=$2; shift 2;;
    --output) name=$2; shift 2;;
    --*) shift;;
    *) in=$1; shift;;
  esac
done
echo "[NbConvertApp] Converting notebook $in"
case "$(basename "$in")" in hang_*) echo "nbclient.exceptions.CellTimeoutError: A cell timed out" >&2; exit 1;; esac
if [ "$to" = html ]; then
  b=$(basename "$in" .ipynb)
  echo "<html>$b</html>" >"$out/$b.html"
else
  cp "$in" "$out/$name"
fi
`

// nbcheck run on three notebooks through a stand-in for Jupyter: one clean, one with problems,
// one on which nbconvert fails.
func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	jupyter := writeFile(t, dir, "jupyter", fakeJupyter)
	if err := os.Chmod(jupyter, 0o755); err != nil {
		t.Fatal(err)
	}
	trace := filepath.Join(dir, "trace")
	t.Setenv("FAKE_TRACE", trace)
	t.Setenv("AELIB_X", "from the environment")
	src := filepath.Join(dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	clean := writeFile(t, src, "01_clean.ipynb", `{"cells": [
 {"cell_type": "code", "source": "aelib.Setup()", "outputs": [{"output_type": "stream", "name": "stdout", "text": "Backend: xla (CPU)\n"}]}
]}`)
	broken := writeFile(t, src, "02_broken.ipynb", `{"cells": [
 {"cell_type": "code", "source": "a", "outputs": [{"output_type": "error", "ename": "ERROR", "evalue": "exit status 1"}]},
 {"cell_type": "code", "source": "b", "outputs": [{"output_type": "stream", "name": "stderr", "text": ["panic: boom\n", "main.go:3\n"]}]}
]}`)
	hang := writeFile(t, src, "hang_03.ipynb", `{"cells": []}`)
	out, runlog := filepath.Join(dir, "out"), filepath.Join(dir, "runlog.tsv")

	var stdout, stderr bytes.Buffer
	code := run([]string{"run", "-out", out, "-cell-timeout", "7", "-html", "-runlog", runlog, "-jupyter", jupyter,
		clean, broken, hang}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1 (a notebook failed); stderr %q", code, stderr.String())
	}
	hangLog := filepath.Join(out, "hang_03.log")
	want := "01_clean                     xla            0s  ok\n" +
		"02_broken                    ?              0s  errors:\n" +
		"    code cell 1 (\"a\"): error ERROR: exit status 1\n" +
		"    code cell 2 (\"b\"): panic: boom\n    main.go:3\n" +
		"hang_03                      ?              0s  nbconvert failed: exit status 1 (see " + hangLog + ")\n"
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
	for _, f := range []struct {
		name   string
		exists bool
	}{
		{"01_clean.ipynb", true}, {"01_clean.html", true}, {"01_clean.log", false}, // a clean run leaves no log
		{"02_broken.ipynb", true}, {"02_broken.html", true}, {"02_broken.log", true},
		{"hang_03.ipynb", false}, {"hang_03.html", false}, {"hang_03.log", true},
	} {
		if _, err := os.Stat(filepath.Join(out, f.name)); (err == nil) != f.exists {
			t.Errorf("%s: exists %v, want %v", f.name, err == nil, f.exists)
		}
	}
	if b, _ := os.ReadFile(hangLog); !strings.Contains(string(b), "CellTimeoutError") {
		t.Errorf("hang_03.log lacks nbconvert's error:\n%s", b)
	}
	if b, _ := os.ReadFile(runlog); string(b) != "01_clean\txla\t0\n02_broken\t?\t0\nhang_03\t?\t0\n" {
		t.Errorf("run log = %q", b)
	}
	b, _ := os.ReadFile(trace)
	tr := string(b)
	for _, w := range []string{
		"args: --to notebook --execute --allow-errors --ExecutePreprocessor.kernel_name=gonb --ExecutePreprocessor.timeout=7 --output-dir " + out + " --output 01_clean.ipynb " + clean + "\n",
		"args: --to html --output-dir " + out + " " + filepath.Join(out, "01_clean.ipynb") + "\n",
		"env: AELIB_X=from the environment PATH=" + dir + string(os.PathListSeparator),
	} {
		if !strings.Contains(tr, w) {
			t.Errorf("nbconvert's trace lacks %q:\n%s", w, tr)
		}
	}
	// Each nbconvert had a runtime directory of its own, removed after the run.
	var runtimes []string
	for _, line := range strings.Split(tr, "\n") {
		if r, ok := strings.CutPrefix(line, "runtime: "); ok {
			runtimes = append(runtimes, r)
		}
	}
	if len(runtimes) != 5 {
		t.Errorf("%d nbconvert calls saw their runtime directory, want 5 (3 runs, 2 HTML exports):\n%s", len(runtimes), tr)
	}
	for _, r := range runtimes {
		if _, err := os.Stat(r); err == nil {
			t.Errorf("runtime directory %s left behind", r)
		}
	}
}

// Bad input to nbcheck run: exit status 2 and a message naming the problem; a notebook that the
// output directory would overwrite fails on its own line.
func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	nb := writeFile(t, dir, "01_x.ipynb", `{"cells": []}`)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string // in stderr, or in stdout when code is 1
	}{
		{"no notebook", []string{"-out", dir}, 2, "nbcheck run: no notebook given"},
		{"cell timeout 0", []string{"-cell-timeout", "0", nb}, 2, "-cell-timeout 0 invalid: must be a whole number of seconds ≥ 1"},
		{"cell timeout not a number", []string{"-cell-timeout", "slow", nb}, 2, `invalid value "slow" for flag -cell-timeout`},
		{"unknown flag", []string{"-fast", nb}, 2, "flag provided but not defined: -fast"},
		{"output over the notebook", []string{"-out", dir, "-jupyter", "/nonexistent/jupyter", nb}, 1,
			"01_x                         ?              0s  run " + nb + ": output directory \"" + dir + "\" invalid: it holds the notebook itself"},
		{"no jupyter", []string{"-out", filepath.Join(dir, "out"), "-jupyter", filepath.Join(dir, "none"), nb}, 1,
			"nbconvert failed: fork/exec " + filepath.Join(dir, "none")},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"run"}, c.args...), &stdout, &stderr)
		got := stderr.String()
		if c.code == 1 {
			got = stdout.String()
		}
		if code != c.code || !strings.Contains(got, c.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", c.name, code, stdout.String(), stderr.String(), c.code, c.want)
		}
	}
}

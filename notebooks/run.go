package notebooks

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// RunOptions are the settings of Run.
type RunOptions struct {
	Jupyter     string        // the jupyter command: a path (e.g. the venv's) or a name on PATH; "" means "jupyter"
	OutDir      string        // where the executed NAME.ipynb, nbconvert's NAME.log and, with HTML, NAME.html go
	CellTimeout time.Duration // how long one cell may run (whole seconds, at least 1s)
	Env         []string      // NAME=value pairs that replace or add to the environment, e.g. AELIB_QUICK=1
	HTML        bool          // also export the executed notebook as NAME.html
}

// Result is what Run did with one notebook.
type Result struct {
	Name     string        // the notebook's file name without .ipynb
	Notebook *Notebook     // the executed copy; nil when it was not written
	Elapsed  time.Duration // nbconvert's wall time: the kernel's start and every cell
	Problems []string      // what a student would see as a failure (see Notebook.Problems)
	Log      string        // the file with nbconvert's output
}

// Run executes the notebook at path headless in a fresh GoNB kernel, as a student's "Run All"
// would: jupyter nbconvert --execute --allow-errors, into o.OutDir/NAME.ipynb, with nbconvert's
// output in o.OutDir/NAME.log. The kernel starts in the notebook's directory; Jupyter's runtime
// files go to a temporary directory, removed afterwards. A cell that fails does not stop the run:
// it is one of the Result's Problems. Run returns an error, with the log's last lines, when
// nbconvert fails (e.g. a cell ran past o.CellTimeout) or ctx ends, when the executed copy cannot
// be read, or when the HTML export fails; the Result then holds what was done.
func Run(ctx context.Context, path string, o RunOptions) (Result, error) {
	name := strings.TrimSuffix(filepath.Base(path), ".ipynb")
	r := Result{Name: name, Log: filepath.Join(o.OutDir, name+".log")}
	if o.CellTimeout < time.Second {
		return r, fmt.Errorf("run %s: cell timeout %v invalid: must be at least 1s", path, o.CellTimeout)
	}
	jupyter := o.Jupyter
	if jupyter == "" {
		jupyter = "jupyter"
	}
	src, err := filepath.Abs(path)
	if err != nil {
		return r, fmt.Errorf("run %s: %w", path, err)
	}
	executed, err := filepath.Abs(filepath.Join(o.OutDir, name+".ipynb"))
	if err != nil {
		return r, fmt.Errorf("run %s: %w", path, err)
	}
	if executed == src {
		return r, fmt.Errorf("run %s: output directory %q invalid: it holds the notebook itself, which the executed copy would overwrite", path, o.OutDir)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return r, fmt.Errorf("run %s: %w", path, err)
	}
	runtime, err := os.MkdirTemp("", "nbrun-")
	if err != nil {
		return r, fmt.Errorf("run %s: %w", path, err)
	}
	defer os.RemoveAll(runtime)
	log, err := os.Create(r.Log)
	if err != nil {
		return r, fmt.Errorf("run %s: %w", path, err)
	}
	defer log.Close()

	env := mergeEnv(os.Environ(), append(jupyterVars(jupyter, runtime), o.Env...))
	nbconvert := func(what string, args ...string) error {
		cmd := exec.CommandContext(ctx, jupyter, append([]string{"nbconvert"}, args...)...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, log, log
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				err = fmt.Errorf("%w (%v)", err, ctx.Err())
			}
			return fmt.Errorf("%s failed: %w\n%s\n%s", what, err, strings.Join(cmd.Args, " "), logTail(r.Log, 40))
		}
		return nil
	}
	start := time.Now()
	err = nbconvert("nbconvert", "--to", "notebook", "--execute", "--allow-errors",
		"--ExecutePreprocessor.kernel_name=gonb",
		fmt.Sprintf("--ExecutePreprocessor.timeout=%d", int(math.Ceil(o.CellTimeout.Seconds()))),
		"--output-dir", filepath.Dir(executed), "--output", name+".ipynb", src)
	r.Elapsed = time.Since(start)
	if err != nil {
		return r, err
	}
	if r.Notebook, err = ReadNotebook(executed); err != nil {
		return r, err
	}
	r.Problems = r.Notebook.Problems()
	if o.HTML {
		if err := nbconvert("html export", "--to", "html", "--output-dir", filepath.Dir(executed), executed); err != nil {
			return r, err
		}
	}
	return r, nil
}

// jupyterVars returns the variables Jupyter's processes run with: Jupyter's runtime files
// (connection files) in runtime instead of the user's home, no debugger warning about frozen
// modules in the log and, when jupyter is a path, its directory (the venv's bin) first on PATH.
func jupyterVars(jupyter, runtime string) []string {
	vars := []string{"JUPYTER_RUNTIME_DIR=" + runtime, "PYDEVD_DISABLE_FILE_VALIDATION=1"}
	if strings.ContainsRune(jupyter, filepath.Separator) {
		vars = append(vars, "PATH="+filepath.Dir(jupyter)+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	return vars
}

// mergeEnv returns base with the NAME=value pairs of overrides replacing or adding variables.
func mergeEnv(base, overrides []string) []string {
	names := map[string]bool{}
	for _, kv := range overrides {
		names[strings.SplitN(kv, "=", 2)[0]] = true
	}
	var out []string
	for _, kv := range base {
		if !names[strings.SplitN(kv, "=", 2)[0]] {
			out = append(out, kv)
		}
	}
	return append(out, overrides...)
}

// logTail returns the last n lines of a log, without GoNB's info lines (klog "I1125 ...").
func logTail(path string, n int) string {
	b, _ := os.ReadFile(path)
	var kept []string
	for _, line := range strings.Split(string(b), "\n") {
		if len(line) > 1 && line[0] == 'I' && line[1] >= '0' && line[1] <= '9' {
			continue
		}
		kept = append(kept, line)
	}
	if len(kept) > n {
		kept = kept[len(kept)-n:]
	}
	return strings.Join(kept, "\n")
}

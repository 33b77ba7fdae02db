// Package notebooks holds no code: its tests run the lecture's notebooks, headless with nbconvert
// (notebooks_test.go) and in JupyterLab in a real browser (browser_test.go).
//
// They need the Jupyter set-up that `make test` creates (.venv with JupyterLab and the GoNB kernel,
// .ci/browser with playwright-core, Debian's chromium). Run them with `make test`;
// `go test -short ./...` skips them, and `go test ./aelib/...` never needs them.
package notebooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	stdhtml "html"
	"os"
	"os/exec"
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

// jupyterEnv is the environment for Jupyter processes: the venv first on PATH, and Jupyter's
// runtime files (connection files) in a temporary directory instead of the user's home.
func jupyterEnv(t *testing.T, jupyter string, extra ...string) []string {
	venvBin := filepath.Dir(jupyter)
	env := []string{
		"PATH=" + venvBin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"JUPYTER_RUNTIME_DIR=" + t.TempDir(),
		"PYDEVD_DISABLE_FILE_VALIDATION=1",
	}
	env = append(env, extra...)
	return mergeEnv(os.Environ(), env)
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

// notebook is the part of the .ipynb format the tests read.
type notebook struct {
	Cells []cell `json:"cells"`
}

type cell struct {
	CellType string   `json:"cell_type"`
	Source   multiStr `json:"source"`
	Outputs  []output `json:"outputs"`
}

type output struct {
	OutputType string              `json:"output_type"` // stream, display_data, execute_result, error
	Name       string              `json:"name"`        // stdout or stderr, for streams
	Text       multiStr            `json:"text"`
	Data       map[string]multiStr `json:"data"`
	EName      string              `json:"ename"`
	EValue     string              `json:"evalue"`
}

// multiStr is a notebook string: either a string or a list of lines.
type multiStr string

func (m *multiStr) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = multiStr(s)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(b, &lines); err != nil {
		// Non-text data (e.g. application/json): keep it raw.
		*m = multiStr(b)
		return nil
	}
	*m = multiStr(strings.Join(lines, ""))
	return nil
}

func readNotebook(path string) (*notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &nb, nil
}

// codeCells returns the code cells, in order.
func (nb *notebook) codeCells() []cell {
	var cells []cell
	for _, c := range nb.Cells {
		if c.CellType == "code" {
			cells = append(cells, c)
		}
	}
	return cells
}

// stream returns the concatenated text a cell printed to stdout or stderr
// (GoNB sends a panic in several chunks: "panic: ", then the message).
func (c cell) stream(name string) string {
	var sb strings.Builder
	for _, o := range c.Outputs {
		if o.OutputType == "stream" && o.Name == name {
			sb.WriteString(string(o.Text))
		}
	}
	return sb.String()
}

// firstLine of a cell's source, for messages.
func (c cell) firstLine() string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(c.Source)), "\n")
	if len(line) > 70 {
		line = line[:70] + "…"
	}
	return line
}

var panicLine = regexp.MustCompile(`(?m)^(panic: |fatal error: )`)

// problems lists what a student would see as a failure in an executed notebook: error outputs,
// GoNB's HTML error report (compile errors, a program that exits non-zero), a Go panic on stderr,
// and a `// figure` cell without a persistent image.
func (nb *notebook) problems() []string {
	var out []string
	for i, c := range nb.codeCells() {
		where := fmt.Sprintf("code cell %d (%q)", i+1, c.firstLine())
		for _, o := range c.Outputs {
			switch {
			case o.OutputType == "error":
				out = append(out, fmt.Sprintf("%s: error %s: %s", where, o.EName, o.EValue))
			case o.Data != nil && isGonbErrorReport(string(o.Data["text/html"])):
				out = append(out, fmt.Sprintf("%s: GoNB error report: %s", where, htmlText(string(o.Data["text/html"]))))
			}
		}
		if stderr := c.stream("stderr"); panicLine.MatchString(stderr) {
			out = append(out, fmt.Sprintf("%s: %s", where, clip(stderr[panicLine.FindStringIndex(stderr)[0]:], 600)))
		}
		if strings.Contains(string(c.Source), "// figure") && !c.hasFigure() {
			out = append(out, fmt.Sprintf("%s: marked `// figure` but shows no image (image/png, image/svg+xml, or HTML with <img>/<svg>)", where))
		}
	}
	return out
}

// isGonbErrorReport tells GoNB's error HTML (see gonb internal/goexec/errorpublish.go) from figures.
func isGonbErrorReport(html string) bool {
	return strings.Contains(html, `class="gonb-err-`) ||
		strings.Contains(html, `data-mime-type="application/vnd.jupyter.stderr"`)
}

func (c cell) hasFigure() bool {
	for _, o := range c.Outputs {
		if o.Data == nil {
			continue
		}
		if o.Data["image/png"] != "" || o.Data["image/svg+xml"] != "" {
			return true
		}
		if html := string(o.Data["text/html"]); strings.Contains(html, "<img") || strings.Contains(html, "<svg") {
			return true
		}
	}
	return false
}

// backendLines returns every line starting with "Backend:" that the notebook printed.
func (nb *notebook) backendLines() []string {
	var lines []string
	for _, c := range nb.codeCells() {
		for _, line := range strings.Split(c.stream("stdout")+"\n"+c.stream("stderr"), "\n") {
			if line = strings.TrimSpace(line); strings.HasPrefix(line, "Backend:") {
				lines = append(lines, line)
			}
		}
	}
	return lines
}

var tags = regexp.MustCompile(`(?s)<style.*?</style>|<[^>]*>`)

func htmlText(html string) string {
	return clip(strings.Join(strings.Fields(stdhtml.UnescapeString(tags.ReplaceAllString(html, " "))), " "), 400)
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// claim is one line of the AELIB_RESULTS file, as aelib writes it.
type claim struct {
	ID       string         `json:"id"`
	Notebook string         `json:"notebook"`
	Claim    string         `json:"claim"`
	Measured map[string]any `json:"measured"`
	Holds    *bool          `json:"holds"`
	Backend  string         `json:"backend"`
}

// readClaims parses a JSON-lines results file; a missing file means no claims.
func readClaims(path string) ([]claim, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var claims []claim
	for n, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var c claim
		dec := json.NewDecoder(bytes.NewReader(line))
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s line %d: %v: %s", path, n+1, err, clip(string(line), 200))
		}
		claims = append(claims, c)
	}
	return claims, nil
}

// numericMeasures returns the names of the numeric values in a claim's "measured".
func (c claim) numericMeasures() []string {
	var names []string
	for k, v := range c.Measured {
		if _, ok := v.(float64); ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

// runLogged runs cmd with its combined output in a file, and returns the output's tail on failure.
func runLogged(ctx context.Context, cmd *exec.Cmd, logPath string) (time.Duration, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", err, ctx.Err())
		}
		return elapsed, fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, logTail(logPath, 40))
	}
	return elapsed, nil
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

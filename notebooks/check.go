// Package notebooks runs the lecture's notebooks headless (Run) and checks the executed copies:
// what a student would see as a failure (Problems) and the backend a notebook ran on (Backend).
// The command notebooks/nbcheck uses it in `make lecture` and `make bench`; the package's tests
// use it on the notebooks they run.
//
// The tests run the lecture's notebooks, headless with nbconvert (notebooks_test.go) and in
// JupyterLab in a real browser (browser_test.go). They need the Jupyter set-up that `make test`
// creates (.venv with JupyterLab and the GoNB kernel, .ci/browser with playwright-core, Debian's
// chromium). Run them with `make test`; `go test -short ./...` skips them, and
// `go test ./aelib/...` never needs them.
package notebooks

import (
	"encoding/json"
	"fmt"
	stdhtml "html"
	"os"
	"regexp"
	"strings"
)

// FigureMarker is the comment that marks a code cell as one that must show a figure.
const FigureMarker = "// figure"

// Notebook is the part of the .ipynb format the checks read.
type Notebook struct {
	Cells []Cell `json:"cells"`
}

// Cell is one notebook cell with its outputs.
type Cell struct {
	CellType string   `json:"cell_type"` // code, markdown or raw
	Source   Text     `json:"source"`
	Outputs  []Output `json:"outputs"`
	Metadata struct {
		// Execution: when the kernel started and finished running the cell (nbclient records it).
		Execution struct {
			Start string `json:"iopub.execute_input"`
			End   string `json:"shell.execute_reply"`
		} `json:"execution"`
	} `json:"metadata"`
}

// Output is one output of a code cell.
type Output struct {
	OutputType string          `json:"output_type"` // stream, display_data, execute_result or error
	Name       string          `json:"name"`        // stdout or stderr, for streams
	Text       Text            `json:"text"`        // the text of a stream
	Data       map[string]Text `json:"data"`        // MIME type → content, for display data and results
	EName      string          `json:"ename"`       // the error's name, for errors
	EValue     string          `json:"evalue"`      // the error's message, for errors
}

// Text is a notebook string, stored in the .ipynb file either as a string or as a list of lines.
type Text string

// UnmarshalJSON reads a string or a list of strings (joined); any other JSON value (the data of
// e.g. application/json) is kept as its raw JSON text.
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = Text(s)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(b, &lines); err == nil {
		*t = Text(strings.Join(lines, ""))
		return nil
	}
	*t = Text(b)
	return nil
}

// ReadNotebook reads an .ipynb file.
func ReadNotebook(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading notebook: %w", err)
	}
	var nb Notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("notebook %s: not valid .ipynb JSON: %w", path, err)
	}
	return &nb, nil
}

// CodeCells returns the notebook's code cells, in order.
func (nb *Notebook) CodeCells() []Cell {
	var cells []Cell
	for _, c := range nb.Cells {
		if c.CellType == "code" {
			cells = append(cells, c)
		}
	}
	return cells
}

// Stream returns the concatenated text a cell printed to the stream name, "stdout" or "stderr"
// (GoNB sends a panic in several chunks: "panic: ", then the message).
func (c Cell) Stream(name string) string {
	var sb strings.Builder
	for _, o := range c.Outputs {
		if o.OutputType == "stream" && o.Name == name {
			sb.WriteString(string(o.Text))
		}
	}
	return sb.String()
}

// FirstLine returns the first non-blank line of the cell's source, shortened, for messages.
func (c Cell) FirstLine() string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(c.Source)), "\n")
	return clip(line, 70)
}

// HasFigure tells whether the cell shows an image that is saved with the notebook: image/png,
// image/svg+xml, or HTML holding an <img> or <svg>.
func (c Cell) HasFigure() bool {
	for _, o := range c.Outputs {
		if o.Data["image/png"] != "" || o.Data["image/svg+xml"] != "" {
			return true
		}
		if html := string(o.Data["text/html"]); strings.Contains(html, "<img") || strings.Contains(html, "<svg") {
			return true
		}
	}
	return false
}

var (
	panicLine  = regexp.MustCompile(`(?m)^(panic: |fatal error: )`)
	ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]") // GoNB marks the cell's line in a stack trace with them
)

// Problems lists what a student would see as a failure in an executed notebook, one line each:
// error outputs (a cell that failed, e.g. a program that exited non-zero), GoNB's HTML error
// report (compile errors), a Go panic or fatal error on stderr, and a code cell marked
// `// figure` without a persistent image (see HasFigure). None means the notebook ran cleanly.
func (nb *Notebook) Problems() []string {
	var out []string
	for i, c := range nb.CodeCells() {
		where := fmt.Sprintf("code cell %d (%q)", i+1, c.FirstLine())
		for _, o := range c.Outputs {
			switch {
			case o.OutputType == "error":
				out = append(out, fmt.Sprintf("%s: error %s: %s", where, o.EName, clip(o.EValue, 400)))
			case IsGonbErrorReport(string(o.Data["text/html"])):
				out = append(out, fmt.Sprintf("%s: GoNB error report: %s", where, htmlText(string(o.Data["text/html"]))))
			}
		}
		if stderr := ansiEscape.ReplaceAllString(c.Stream("stderr"), ""); panicLine.MatchString(stderr) {
			out = append(out, fmt.Sprintf("%s: %s", where, clip(stderr[panicLine.FindStringIndex(stderr)[0]:], 600)))
		}
		if strings.Contains(string(c.Source), FigureMarker) && !c.HasFigure() {
			out = append(out, fmt.Sprintf("%s: marked `%s` but shows no image (image/png, image/svg+xml, or HTML with <img>/<svg>)", where, FigureMarker))
		}
	}
	return out
}

// IsGonbErrorReport tells GoNB's HTML error report (see gonb's internal/goexec/errorpublish.go)
// from other HTML output, such as figures.
func IsGonbErrorReport(html string) bool {
	return strings.Contains(html, `class="gonb-err-`) ||
		strings.Contains(html, `data-mime-type="application/vnd.jupyter.stderr"`)
}

// BackendLines returns every line starting with "Backend:" that the notebook printed, on stdout
// or stderr; aelib.Setup prints exactly one.
func (nb *Notebook) BackendLines() []string {
	var lines []string
	for _, c := range nb.CodeCells() {
		for _, line := range strings.Split(c.Stream("stdout")+"\n"+c.Stream("stderr"), "\n") {
			if line = strings.TrimSpace(line); strings.HasPrefix(line, "Backend:") {
				lines = append(lines, line)
			}
		}
	}
	return lines
}

// Backend returns the backend the notebook ran on, the first word after its first "Backend:"
// ("go" or "xla"), or "?" when it printed none.
func (nb *Notebook) Backend() string {
	lines := nb.BackendLines()
	if len(lines) == 0 {
		return "?"
	}
	words := strings.Fields(strings.TrimPrefix(lines[0], "Backend:"))
	if len(words) == 0 {
		return "?"
	}
	return words[0]
}

var tags = regexp.MustCompile(`(?s)<style.*?</style>|<[^>]*>`)

// htmlText is the visible text of an HTML output, on one line and shortened.
func htmlText(html string) string {
	return clip(strings.Join(strings.Fields(stdhtml.UnescapeString(tags.ReplaceAllString(html, " "))), " "), 400)
}

// clip trims s and shortens it to at most n bytes (at a rune boundary), marking the cut with "…".
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

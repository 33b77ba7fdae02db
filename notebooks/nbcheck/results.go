package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// claim mirrors aelib.Claim's JSON: one line that aelib.Record appends to $AELIB_RESULTS.
type claim struct {
	ID       string             `json:"id"`
	Notebook string             `json:"notebook"`
	Claim    string             `json:"claim"`
	Measured map[string]float64 `json:"measured"`
	Outcome  string             `json:"outcome"` // "holds", "does not hold" or "inconclusive"
	Holds    bool               `json:"holds"`
	Backend  string             `json:"backend"`
	Quick    bool               `json:"quick"`
	Time     time.Time          `json:"time"`
}

// notebookRun is one line of the run log: a notebook, the backend it ran on and its seconds.
type notebookRun struct {
	Notebook string `json:"notebook"`
	Backend  string `json:"backend"`
	Seconds  int    `json:"seconds"`
}

// runInfo is the "run" section of docs/results.json: where and how long the lecture ran.
type runInfo struct {
	Backend      string        `json:"backend"` // all backends used, e.g. "go, xla"
	CPU          string        `json:"cpu"`
	Cores        int           `json:"cores"`
	GoMLX        string        `json:"gomlx"`
	TotalSeconds int           `json:"total_seconds"`
	Date         string        `json:"date"` // UTC, e.g. 2026-11-25T20:08:33+00:00
	Notebooks    []notebookRun `json:"notebooks"`
}

// results is the whole of docs/results.json.
type results struct {
	Run    runInfo `json:"run"`
	Claims []claim `json:"claims"`
}

// writeResults reads the claims and the run log and writes the results as JSON and Markdown.
func writeResults(claimsPath, runlogPath string, total int, outJSON, outMD string) error {
	claims, err := readLines(claimsPath, parseClaim)
	if errors.Is(err, fs.ErrNotExist) { // no notebook recorded a claim
		claims, err = []claim{}, nil
	}
	if err != nil {
		return err
	}
	nbs, err := readLines(runlogPath, parseRun)
	if err != nil {
		return err
	}
	res := results{Claims: claims, Run: runInfo{Backend: backends(claims, nbs), Cores: runtime.NumCPU(),
		CPU:          firstMatch("/proc/cpuinfo", `(?m)^model name\s*:(.+)$`),
		GoMLX:        firstMatch("go.mod", `github\.com/gomlx/gomlx\s+(v\S+)`),
		TotalSeconds: total, Date: time.Now().UTC().Format("2006-01-02T15:04:05+00:00"), Notebooks: nbs}}
	var js bytes.Buffer
	enc := json.NewEncoder(&js) // json.MarshalIndent's output, but with <, > and & left readable
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return err
	}
	if err := os.WriteFile(outJSON, js.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(outMD, []byte(markdown(res)), 0o644)
}

// readLines parses each non-blank line of the file at path; an error names the file and line.
func readLines[T any](path string, parse func(line string) (T, error)) ([]T, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	items := []T{} // written as [] rather than null
	for n, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		item, err := parse(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n+1, err)
		}
		items = append(items, item)
	}
	return items, nil
}

// The outcomes of a claim, as aelib.Outcome writes them.
const (
	holds        = "holds"
	doesNotHold  = "does not hold"
	inconclusive = "inconclusive"
)

// parseClaim parses one line that aelib.Record appended to $AELIB_RESULTS. A line without an
// outcome (written before aelib had three) gets the one its "holds" says.
func parseClaim(line string) (c claim, err error) {
	if err = json.Unmarshal([]byte(line), &c); err != nil {
		return c, err
	}
	if c.ID == "" || c.Notebook == "" || c.Claim == "" {
		return c, errors.New("a claim needs an id, a notebook and a claim")
	}
	switch {
	case c.Outcome == "" && c.Holds:
		c.Outcome = holds
	case c.Outcome == "":
		c.Outcome = doesNotHold
	case c.Outcome != holds && c.Outcome != doesNotHold && c.Outcome != inconclusive:
		return c, fmt.Errorf("claim %s: outcome %q invalid: must be %q, %q or %q", c.ID, c.Outcome, holds, doesNotHold, inconclusive)
	}
	if c.Holds != (c.Outcome == holds) {
		return c, fmt.Errorf("claim %s: holds %v contradicts outcome %q", c.ID, c.Holds, c.Outcome)
	}
	return c, nil
}

// parseRun parses one line of lecture.sh's run log: notebook, backend and seconds, tab-separated.
func parseRun(line string) (notebookRun, error) {
	f := strings.Split(line, "\t")
	if len(f) != 3 {
		return notebookRun{}, fmt.Errorf("want notebook, backend and seconds separated by tabs, got %q", line)
	}
	secs, err := strconv.Atoi(strings.TrimSpace(f[2]))
	return notebookRun{Notebook: f[0], Backend: f[1], Seconds: secs}, err
}

// backends names the backends the claims and notebooks ran on, sorted, or "unknown".
func backends(claims []claim, nbs []notebookRun) string {
	set := map[string]bool{}
	for _, c := range claims {
		set[c.Backend] = true
	}
	for _, n := range nbs {
		set[n.Backend] = true
	}
	delete(set, "")
	delete(set, "?")
	if len(set) == 0 {
		return "unknown"
	}
	return strings.Join(slices.Sorted(maps.Keys(set)), ", ")
}

// firstMatch is the first group of the regular expression re in the file at path, or "unknown".
// It finds the CPU in /proc/cpuinfo and GoMLX's version in go.mod (lecture.sh runs in the module root).
func firstMatch(path, re string) string {
	b, _ := os.ReadFile(path)
	if m := regexp.MustCompile(re).FindSubmatch(b); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return "unknown"
}

// markdown is docs/results.md: the run, a table of the notebooks and one of the claims.
func markdown(res results) string {
	r := res.Run
	var sb strings.Builder
	fmt.Fprintf(&sb, "# Results of the full lecture run\n\n"+
		"Written by `make lecture` (.ci/lecture.sh); the same data is in results.json.\n\n"+
		"- date: %s\n- backend: %s\n- CPU: %s, %d cores\n- GoMLX: %s\n- total: %d s\n\n"+
		"| notebook | backend | seconds |\n| --- | --- | ---: |\n", r.Date, r.Backend, r.CPU, r.Cores, r.GoMLX, r.TotalSeconds)
	for _, n := range r.Notebooks {
		fmt.Fprintf(&sb, "| %s | %s | %d |\n", cell(n.Notebook), cell(n.Backend), n.Seconds)
	}
	sb.WriteString("\n| notebook | id | claim | measured | outcome |\n| --- | --- | --- | --- | --- |\n")
	for _, c := range res.Claims {
		var measured []string
		for _, k := range slices.Sorted(maps.Keys(c.Measured)) {
			measured = append(measured, k+"="+number(c.Measured[k]))
		}
		outcome := c.Outcome // holds
		switch c.Outcome {
		case doesNotHold:
			outcome = "**does not hold**"
		case inconclusive:
			outcome = "*inconclusive*"
		}
		if c.Quick {
			outcome += " (reduced run)"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s |\n", cell(c.Notebook), cell(c.ID), cell(c.Claim),
			cell(strings.Join(measured, ", ")), outcome)
	}
	if len(res.Claims) == 0 {
		sb.WriteString("| | | (no claims recorded) | | |\n")
	}
	return sb.String()
}

// cell makes s fit in one cell of a Markdown table.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// number formats a measured value compactly: a whole number in full, else 4 significant digits.
func number(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

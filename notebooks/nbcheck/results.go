package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aelecture/autoencoder-go/aelib/claim"
)

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
	Run    runInfo       `json:"run"`
	Claims []claim.Claim `json:"claims"`
}

// writeResults reads the claims and the run log and writes the results as JSON and Markdown.
func writeResults(claimsPath, runlogPath string, total int, outJSON, outMD string) error {
	claims, err := claim.ReadFile(claimsPath) // none when no notebook recorded a claim
	if err != nil {
		return err
	}
	nbs, err := readRuns(runlogPath)
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

// readRuns reads the run log of `nbcheck run -runlog`, one notebookRun per non-blank line (see
// parseRun); an error names the file and line.
func readRuns(path string) ([]notebookRun, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the run log: %w", err)
	}
	runs := []notebookRun{} // written as [] rather than null
	for n, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		r, err := parseRun(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n+1, err)
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// parseRun parses one line of the run log: notebook, backend and seconds, tab-separated.
func parseRun(line string) (notebookRun, error) {
	f := strings.Split(line, "\t")
	if len(f) != 3 {
		return notebookRun{}, fmt.Errorf("want notebook, backend and seconds separated by tabs, got %q", line)
	}
	secs, err := strconv.Atoi(strings.TrimSpace(f[2]))
	return notebookRun{Notebook: f[0], Backend: f[1], Seconds: secs}, err
}

// backends names the backends the claims and notebooks ran on, sorted, or "unknown".
func backends(claims []claim.Claim, nbs []notebookRun) string {
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
		outcome := string(c.Outcome) // holds
		switch c.Outcome {
		case claim.DoesNotHold:
			outcome = "**does not hold**"
		case claim.Inconclusive:
			outcome = "*inconclusive*"
		}
		if c.Quick {
			outcome += " (reduced run)"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s |\n", cell(c.Notebook), cell(c.ID), cell(c.Text),
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

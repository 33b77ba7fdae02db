package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// runInfo is the "run" section of docs/results.json: where and how long the lecture ran.
type runInfo struct {
	Backend      string
	CPU          string
	Cores        int
	GoMLX        string
	TotalSeconds int
	Date         string // UTC, e.g. 2026-11-25T20:08:33+00:00
	Notebooks    []notebookRun
}

// notebookRun is one line of the run log.
type notebookRun struct {
	Notebook string
	Backend  string
	Seconds  int
}

// writeResults reads the claims and the run log and writes the results as JSON and Markdown.
func writeResults(claimsPath, runlogPath string, total int, outJSON, outMD string) error {
	claims, err := readClaimLines(claimsPath)
	if err != nil {
		return err
	}
	nbs, err := readRunLog(runlogPath)
	if err != nil {
		return err
	}
	run := runInfo{
		Backend:      backends(claims, nbs),
		CPU:          cpuModel(),
		Cores:        runtime.NumCPU(),
		GoMLX:        gomlxVersion(),
		TotalSeconds: total,
		Date:         time.Now().UTC().Format("2006-01-02T15:04:05+00:00"),
		Notebooks:    nbs,
	}
	if err := os.WriteFile(outJSON, resultsJSON(run, claims), 0o644); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	if err := os.WriteFile(outMD, resultsMarkdown(run, claims), 0o644); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	return nil
}

// readClaimLines reads the JSON-lines file aelib.Record appends to, keeping each claim as it is
// (its keys in their order); a missing file means no claims.
func readClaimLines(path string) ([]*object, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the claims: %w", err)
	}
	var claims []*object
	for n, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		v, err := decodeOrdered(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n+1, err)
		}
		obj, ok := v.(*object)
		if !ok {
			return nil, fmt.Errorf("%s line %d: a claim must be a JSON object", path, n+1)
		}
		claims = append(claims, obj)
	}
	return claims, nil
}

// readRunLog reads lecture.sh's run log: notebook, backend and seconds, tab-separated, per line.
func readRunLog(path string) ([]notebookRun, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the run log: %w", err)
	}
	defer f.Close()
	var nbs []notebookRun
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			return nil, fmt.Errorf("%s line %d: want notebook, backend and seconds separated by tabs, got %q", path, n, sc.Text())
		}
		secs, err := strconv.Atoi(strings.TrimSpace(fields[2]))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: seconds: %w", path, n, err)
		}
		nbs = append(nbs, notebookRun{Notebook: fields[0], Backend: fields[1], Seconds: secs})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the run log %s: %w", path, err)
	}
	return nbs, nil
}

// backends names the backends the claims and notebooks ran on, sorted, or "unknown".
func backends(claims []*object, nbs []notebookRun) string {
	set := map[string]bool{}
	for _, c := range claims {
		if v, ok := c.get("backend"); ok && truthy(v) {
			set[pyStr(v)] = true
		}
	}
	for _, n := range nbs {
		if n.Backend != "?" {
			set[n.Backend] = true
		}
	}
	if len(set) == 0 {
		return "unknown"
	}
	var names []string
	for b := range set {
		names = append(names, b)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// cpuModel is the first "model name" of /proc/cpuinfo, or "unknown".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			if _, model, ok := strings.Cut(line, ":"); ok {
				return strings.TrimSpace(model)
			}
		}
	}
	return "unknown"
}

var gomlxRequire = regexp.MustCompile(`github\.com/gomlx/gomlx\s+(v\S+)`)

// gomlxVersion is the GoMLX version the go.mod of the working directory (or a parent) requires.
func gomlxVersion() string {
	dir, err := os.Getwd()
	if err != nil {
		return "unknown"
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			if m := gomlxRequire.FindSubmatch(b); m != nil {
				return string(m[1])
			}
			return "unknown"
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "unknown"
		}
		dir = parent
	}
}

// resultsJSON is docs/results.json: {"run": ..., "claims": [...]}, indented by two spaces, with
// non-ASCII characters escaped (the format Python's json.dump(indent=2) wrote before).
func resultsJSON(run runInfo, claims []*object) []byte {
	var nbs []any
	for _, n := range run.Notebooks {
		nbs = append(nbs, &object{members: []member{
			{"notebook", n.Notebook}, {"backend", n.Backend}, {"seconds", n.Seconds}}})
	}
	runObj := &object{members: []member{
		{"backend", run.Backend},
		{"cpu", run.CPU},
		{"cores", run.Cores},
		{"gomlx", run.GoMLX},
		{"total_seconds", run.TotalSeconds},
		{"date", run.Date},
		{"notebooks", nbs},
	}}
	var cs []any
	for _, c := range claims {
		cs = append(cs, c)
	}
	var sb strings.Builder
	writeIndented(&sb, &object{members: []member{{"run", runObj}, {"claims", cs}}}, "")
	sb.WriteString("\n")
	return []byte(sb.String())
}

// resultsMarkdown is docs/results.md: the run, a table of the notebooks and one of the claims.
func resultsMarkdown(run runInfo, claims []*object) []byte {
	lines := []string{
		"# Results of the full lecture run",
		"",
		"Written by `make lecture` (.ci/lecture.sh); the same data is in results.json.",
		"",
		"- date: " + run.Date,
		"- backend: " + run.Backend,
		fmt.Sprintf("- CPU: %s, %d cores", run.CPU, run.Cores),
		"- GoMLX: " + run.GoMLX,
		fmt.Sprintf("- total: %d s", run.TotalSeconds),
		"",
		"| notebook | backend | seconds |",
		"| --- | --- | ---: |",
	}
	for _, n := range run.Notebooks {
		lines = append(lines, fmt.Sprintf("| %s | %s | %d |", n.Notebook, n.Backend, n.Seconds))
	}
	lines = append(lines, "", "| notebook | id | claim | measured | holds |", "| --- | --- | --- | --- | --- |")
	field := func(c *object, key string) string {
		if v, ok := c.get(key); ok {
			return mdCell(pyStr(v))
		}
		return ""
	}
	for _, c := range claims {
		var measured []string
		if v, _ := c.get("measured"); v != nil {
			if m, ok := v.(*object); ok {
				ms := append([]member(nil), m.members...)
				sort.SliceStable(ms, func(i, j int) bool { return ms[i].key < ms[j].key })
				for _, kv := range ms {
					measured = append(measured, kv.key+"="+short(kv.val))
				}
			}
		}
		holds := "**no**"
		if v, _ := c.get("holds"); truthy(v) {
			holds = "yes"
		}
		lines = append(lines, fmt.Sprintf("| %s | %s | %s | %s | %s |", field(c, "notebook"), field(c, "id"),
			field(c, "claim"), mdCell(strings.Join(measured, ", ")), holds))
	}
	if len(claims) == 0 {
		lines = append(lines, "| | | (no claims recorded) | | |")
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// mdCell makes s fit in one cell of a Markdown table.
func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// short formats a measured value: a float to 4 significant digits, anything else as it is.
func short(v any) string {
	if n, ok := v.(json.Number); ok && isFloatLiteral(string(n)) {
		f, _ := strconv.ParseFloat(string(n), 64)
		return formatG4(f)
	}
	return pyStr(v)
}

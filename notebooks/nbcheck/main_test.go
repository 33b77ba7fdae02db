package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aelecture/autoencoder-go/aelib/claim"
)

// writeFile writes s to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, s string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The committed docs/results.md is the Markdown rendering of the committed docs/results.json.
func TestCommittedResultsAgree(t *testing.T) {
	js, err := os.ReadFile("../../docs/results.json")
	if err != nil {
		t.Skipf("no committed results: %v", err)
	}
	md, err := os.ReadFile("../../docs/results.md")
	if err != nil {
		t.Skipf("no committed results: %v", err)
	}
	var res results
	if err := json.Unmarshal(js, &res); err != nil {
		t.Fatalf("docs/results.json: %v", err)
	}
	if len(res.Claims) == 0 || len(res.Run.Notebooks) == 0 {
		t.Errorf("docs/results.json has %d claims and %d notebooks", len(res.Claims), len(res.Run.Notebooks))
	}
	got, want := strings.SplitAfter(markdown(res), "\n"), strings.SplitAfter(string(md), "\n")
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("docs/results.md line %d differs from the rendering of docs/results.json:\n got  %q\n want %q", i+1, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		t.Errorf("docs/results.md has %d lines, the rendering of docs/results.json %d", len(want), len(got))
	}
}

// nbcheck results on files as lecture.sh writes them: claims as aelib.Record appends them.
func TestResultsCommand(t *testing.T) {
	dir := t.TempDir()
	claims := writeFile(t, dir, "claims.jsonl",
		`{"id":"a-b","notebook":"01_x","claim":"x < y | z ≤ 1","measured":{"z":0.12345678,"n":485266},"holds":true,"backend":"go","quick":false,"time":"2026-01-01T00:00:00Z"}`+"\n\n"+
			`{"id":"c","notebook":"02_y","claim":"no","measured":{"m":1e-7},"holds":false,"backend":"xla","quick":false,"time":"2026-01-01T00:00:01Z"}`+"\n"+
			`{"id":"q","notebook":"02_y","claim":"fast","measured":{"mse":0.0347,"k":5},"holds":true,"backend":"xla","quick":true,"time":"2026-01-01T00:00:02Z"}`+"\n"+
			`{"id":"g","notebook":"07_z","claim":"gain","measured":{"gain_mean":0.01},"outcome":"inconclusive","holds":false,"backend":"xla","quick":false,"time":"2026-01-01T00:00:03Z"}`+"\n")
	runlog := writeFile(t, dir, "runlog.tsv", "01_x\tgo\t3\n02_y\t?\t12\n")
	outJSON, outMD := filepath.Join(dir, "results.json"), filepath.Join(dir, "results.md")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"results", claims, runlog, "15", outJSON, outMD}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	js, _ := os.ReadFile(outJSON)
	md, _ := os.ReadFile(outMD)

	// results.json: the run and the claims as recorded, indented by two spaces.
	var res results
	if err := json.Unmarshal(js, &res); err != nil {
		t.Fatalf("results.json: %v\n%s", err, js)
	}
	r := res.Run
	if r.Backend != "go, xla" || r.TotalSeconds != 15 || r.Cores < 1 || r.CPU == "" || r.GoMLX == "" {
		t.Errorf("results.json run = %+v", r)
	}
	if _, err := time.Parse(time.RFC3339, r.Date); err != nil {
		t.Errorf("results.json run date: %v", err)
	}
	if want := []notebookRun{{"01_x", "go", 3}, {"02_y", "?", 12}}; !reflect.DeepEqual(r.Notebooks, want) {
		t.Errorf("results.json notebooks = %+v, want %+v", r.Notebooks, want)
	}
	want := []claim.Claim{
		{ID: "a-b", Notebook: "01_x", Text: "x < y | z ≤ 1", Measured: map[string]float64{"z": 0.12345678, "n": 485266},
			Outcome: "holds", Holds: true, Backend: "go", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "c", Notebook: "02_y", Text: "no", Measured: map[string]float64{"m": 1e-7},
			Outcome: "does not hold", Backend: "xla", Time: time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)},
		{ID: "q", Notebook: "02_y", Text: "fast", Measured: map[string]float64{"mse": 0.0347, "k": 5},
			Outcome: "holds", Holds: true, Backend: "xla", Quick: true, Time: time.Date(2026, 1, 1, 0, 0, 2, 0, time.UTC)},
		{ID: "g", Notebook: "07_z", Text: "gain", Measured: map[string]float64{"gain_mean": 0.01},
			Outcome: "inconclusive", Backend: "xla", Time: time.Date(2026, 1, 1, 0, 0, 3, 0, time.UTC)},
	}
	if !reflect.DeepEqual(res.Claims, want) {
		t.Errorf("results.json claims = %+v, want %+v", res.Claims, want)
	}
	var top struct{ Run map[string]any }
	if err := json.Unmarshal(js, &top); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range top.Run {
		keys = append(keys, k)
	}
	if slices.Sort(keys); strings.Join(keys, " ") != "backend cores cpu date gomlx notebooks total_seconds" {
		t.Errorf("results.json run has %v", keys)
	}
	for _, s := range []string{"{\n  \"run\": {\n    \"backend\": \"go, xla\",\n", "\"total_seconds\": 15,",
		"\"claim\": \"x < y | z ≤ 1\",", "\"measured\": {\n        \"n\": 485266,\n        \"z\": 0.12345678\n      },"} {
		if !strings.Contains(string(js), s) {
			t.Errorf("results.json lacks %q:\n%s", s, js)
		}
	}

	// results.md: the run, one row per notebook and one per claim.
	for _, s := range []string{"# Results of the full lecture run\n", "\n- backend: go, xla\n", "\n- total: 15 s\n",
		"\n| notebook | backend | seconds |\n| --- | --- | ---: |\n| 01_x | go | 3 |\n| 02_y | ? | 12 |\n",
		"\n| notebook | id | claim | measured | outcome |\n| --- | --- | --- | --- | --- |\n" +
			"| 01_x | a-b | x < y \\| z ≤ 1 | n=485266, z=0.1235 | holds |\n" +
			"| 02_y | c | no | m=1e-07 | **does not hold** |\n" +
			"| 02_y | q | fast | k=5, mse=0.0347 | holds (reduced run) |\n" +
			"| 07_z | g | gain | gain_mean=0.01 | *inconclusive* |\n"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("results.md lacks %q:\n%s", s, md)
		}
	}

	// No claims file: no claims, an empty table.
	if code := run([]string{"results", filepath.Join(dir, "none.jsonl"), runlog, "15", outJSON, outMD}, &stdout, &stderr); code != 0 {
		t.Fatalf("no claims: exit %d: %s", code, stderr.String())
	}
	md, _ = os.ReadFile(outMD)
	if !strings.HasSuffix(string(md), "| --- | --- | --- | --- | --- |\n| | | (no claims recorded) | | |\n") {
		t.Errorf("results.md without claims:\n%s", md)
	}
	if js, _ = os.ReadFile(outJSON); !strings.Contains(string(js), "\"claims\": []") {
		t.Errorf("results.json without claims:\n%s", js)
	}
}

// Bad input to nbcheck results: a one-line error naming the problem, exit status 2, nothing written.
func TestResultsErrors(t *testing.T) {
	dir := t.TempDir()
	good := `{"id":"a","notebook":"01_x","claim":"c","measured":{"v":1},"holds":true,"backend":"go","quick":false,"time":"2026-01-01T00:00:00Z"}`
	claims := writeFile(t, dir, "claims.jsonl", good+"\n")
	runlog := writeFile(t, dir, "runlog.tsv", "01_x\tgo\t3\n")
	for _, c := range []struct {
		name string
		args []string
		want string // in the error
	}{
		{"missing run log", []string{claims, filepath.Join(dir, "none.tsv"), "15"}, "none.tsv"},
		{"malformed claim", []string{writeFile(t, dir, "bad.jsonl", good+"\n{not json\n"), runlog, "15"}, "bad.jsonl line 2: not a JSON claim: invalid character"},
		{"claim without id", []string{writeFile(t, dir, "noid.jsonl", strings.Replace(good, `"id":"a",`, "", 1)), runlog, "15"},
			`noid.jsonl line 1: notebook "01_x", id "" and claim "c" must all be non-empty`},
		{"unknown outcome", []string{writeFile(t, dir, "outcome.jsonl", strings.Replace(good, `"holds":true`, `"outcome":"maybe","holds":false`, 1)), runlog, "15"},
			`outcome.jsonl line 1: claim a: outcome "maybe" invalid: must be "holds", "does not hold" or "inconclusive"`},
		{"holds against outcome", []string{writeFile(t, dir, "contra.jsonl", strings.Replace(good, `"holds":true`, `"outcome":"inconclusive","holds":true`, 1)), runlog, "15"},
			`contra.jsonl line 1: claim a: holds true contradicts outcome "inconclusive"`},
		{"claim not an object", []string{writeFile(t, dir, "arr.jsonl", "[1]\n"), runlog, "15"}, "arr.jsonl line 1: not a JSON claim: json: cannot unmarshal array"},
		{"run log without seconds", []string{claims, writeFile(t, dir, "short.tsv", "01_x\tgo\t3\n02_y\tgo\n"), "15"}, "short.tsv line 2: want notebook, backend and seconds"},
		{"run log seconds not a number", []string{claims, writeFile(t, dir, "nan.tsv", "01_x\tgo\tslow\n"), "15"}, "nan.tsv line 1: strconv.Atoi"},
		{"total not a number", []string{claims, runlog, "x"}, `TOTAL_SECONDS "x"`},
	} {
		outJSON, outMD := filepath.Join(dir, c.name+".json"), filepath.Join(dir, c.name+".md")
		var stdout, stderr bytes.Buffer
		code := run(append(append([]string{"results"}, c.args...), outJSON, outMD), &stdout, &stderr)
		msg := stderr.String()
		if code != 2 || !strings.HasPrefix(msg, "nbcheck: ") || !strings.Contains(msg, c.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line with %q", c.name, code, msg, c.want)
		}
		for _, out := range []string{outJSON, outMD} {
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s: wrote %s", c.name, out)
			}
		}
	}
}

// nbcheck check and backend on a notebook with every kind of problem, and on a clean one.
func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.ipynb")
	broken := filepath.Join(dir, "broken.ipynb")
	if err := os.WriteFile(clean, []byte(`{"cells": [
 {"cell_type": "code", "source": ["%%\n", "aelib.Must(aelib.Setup())"], "outputs": [{"output_type": "stream", "name": "stdout", "text": ["Backend: xla (CPU)\n"]}]},
 {"cell_type": "code", "source": "// figure\nfig.Show()", "outputs": [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]}
]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte(`{"cells": [
 {"cell_type": "code", "source": "a", "outputs": [{"output_type": "error", "ename": "ERROR", "evalue": "exit status 1"}]},
 {"cell_type": "code", "source": "b", "outputs": [{"output_type": "display_data", "data": {"text/html": "<style>x</style><div class=\"gonb-err-location\">main.go:3</div> undefined: y"}}]},
 {"cell_type": "code", "source": "c", "outputs": [{"output_type": "stream", "name": "stderr", "text": ["panic: ", "boom\n", "\u001b[7m[[ Cell [3] Line 1 ]]\u001b[0m main.go:3\n"]}]},
 {"cell_type": "code", "source": "// figure\nd", "outputs": [{"output_type": "display_data", "data": {"text/plain": "no image"}}]}
]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check", clean}, &stdout, &stderr); code != 0 || stdout.Len() != 0 {
		t.Errorf("check clean: exit %d, %q %q", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"backend", clean}, &stdout, &stderr); code != 0 || stdout.String() != "xla\n" {
		t.Errorf("backend clean: exit %d, %q", code, stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"check", broken}, &stdout, &stderr); code != 1 {
		t.Errorf("check broken: exit %d", code)
	}
	rest := stdout.String()
	for _, want := range []string{"code cell 1 (\"a\"): error ERROR: exit status 1\n",
		"code cell 2 (\"b\"): GoNB error report: main.go:3 undefined: y\n",
		"code cell 3 (\"c\"): panic: boom\n[[ Cell [3] Line 1 ]] main.go:3\n",
		"code cell 4 (\"// figure\"): marked `// figure` but shows no image"} {
		at := strings.Index(rest, want)
		if at < 0 {
			t.Errorf("check broken: want %q (in this order), got %q", want, stdout.String())
			break
		}
		rest = rest[at+len(want):]
	}
	if strings.Contains(stdout.String(), "\x1b") {
		t.Errorf("check broken: terminal escapes in %q", stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"backend", broken}, &stdout, &stderr); code != 0 || stdout.String() != "?\n" {
		t.Errorf("backend broken: exit %d, %q", code, stdout.String())
	}
	stderr.Reset()
	if code := run([]string{"check", filepath.Join(dir, "missing.ipynb")}, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
		t.Errorf("check missing: exit %d, %q", code, stderr.String())
	}
	if code := run([]string{"nonsense"}, &stdout, &stderr); code != 2 {
		t.Errorf("usage: exit %d", code)
	}
}

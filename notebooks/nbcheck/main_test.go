package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The committed docs/results.json and docs/results.md come from one lecture run: rendering the
// run and claims of the JSON again must give both files byte for byte.
func TestCommittedResultsRegenerate(t *testing.T) {
	wantJSON, err := os.ReadFile("../../docs/results.json")
	if err != nil {
		t.Skipf("no committed results: %v", err)
	}
	wantMD, err := os.ReadFile("../../docs/results.md")
	if err != nil {
		t.Skipf("no committed results: %v", err)
	}
	v, err := decodeOrdered(wantJSON)
	if err != nil {
		t.Fatalf("docs/results.json: %v", err)
	}
	top := v.(*object)
	runV, _ := top.get("run")
	claimsV, _ := top.get("claims")
	r := runV.(*object)
	str := func(k string) string { v, _ := r.get(k); return v.(string) }
	num := func(o *object, k string) int {
		v, _ := o.get(k)
		n, err := v.(json.Number).Int64()
		if err != nil {
			t.Fatalf("run.%s: %v", k, err)
		}
		return int(n)
	}
	run := runInfo{Backend: str("backend"), CPU: str("cpu"), Cores: num(r, "cores"), GoMLX: str("gomlx"),
		TotalSeconds: num(r, "total_seconds"), Date: str("date")}
	nbs, _ := r.get("notebooks")
	for _, n := range nbs.([]any) {
		o := n.(*object)
		name, _ := o.get("notebook")
		backend, _ := o.get("backend")
		run.Notebooks = append(run.Notebooks, notebookRun{name.(string), backend.(string), num(o, "seconds")})
	}
	var claims []*object
	for _, c := range claimsV.([]any) {
		claims = append(claims, c.(*object))
	}
	if got := resultsJSON(run, claims); !bytes.Equal(got, wantJSON) {
		t.Errorf("results.json differs from docs/results.json:\n%s", firstDiff(string(got), string(wantJSON)))
	}
	if got := resultsMarkdown(run, claims); !bytes.Equal(got, wantMD) {
		t.Errorf("results.md differs from docs/results.md:\n%s", firstDiff(string(got), string(wantMD)))
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got  " + gl + "\n want " + wl
		}
	}
	return "(same lines)"
}

// Expected values are Python 3's repr(), json.dumps() and format(v, ".4g").
func TestPythonFormats(t *testing.T) {
	for _, c := range []struct {
		f        float64
		repr, g4 string
	}{
		{0.05512545276284218, "0.05512545276284218", "0.05513"},
		{20, "20.0", "20"},
		{1e-05, "1e-05", "1e-05"},
		{0.0001, "0.0001", "0.0001"},
		{1e16, "1e+16", "1e+16"},
		{1e15, "1000000000000000.0", "1e+15"},
		{123456789012345680, "1.2345678901234568e+17", "1.235e+17"},
		{0.1, "0.1", "0.1"},
		{-2.5, "-2.5", "-2.5"},
		{5e-324, "5e-324", "4.941e-324"},
		{1.5e300, "1.5e+300", "1.5e+300"},
		{0.00012345, "0.00012345", "0.0001234"},
		{1234.5, "1234.5", "1234"},
	} {
		if got := pyFloatRepr(c.f); got != c.repr {
			t.Errorf("pyFloatRepr(%v) = %s, want %s", c.f, got, c.repr)
		}
		if got := formatG4(c.f); got != c.g4 {
			t.Errorf("formatG4(%v) = %s, want %s", c.f, got, c.g4)
		}
	}
	if got, want := pyJSONString("a×≤😀\x7f<&>/\x01\"\\"), `"a\u00d7\u2264\ud83d\ude00\u007f<&>/\u0001\"\\"`; got != want {
		t.Errorf("pyJSONString = %s, want %s", got, want)
	}
	v, err := decodeOrdered([]byte(`[true, [1, 2.0, "a'b", null], {"k": 1.5}, -0]`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range v.([]any) {
		got = append(got, pyStr(e))
	}
	if want := []string{"True", `[1, 2.0, "a'b", None]`, "{'k': 1.5}", "0"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("pyStr = %q, want %q", got, want)
	}
	if _, err := decodeOrdered([]byte(`{"a": 1} x`)); err == nil {
		t.Error("decodeOrdered accepted data after the value")
	}
}

// nbcheck results on files as lecture.sh writes them: claims as aelib.Record appends them.
func TestResultsCommand(t *testing.T) {
	dir := t.TempDir()
	claims := filepath.Join(dir, "claims.jsonl")
	runlog := filepath.Join(dir, "runlog.tsv")
	outJSON, outMD := filepath.Join(dir, "results.json"), filepath.Join(dir, "results.md")
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(claims, `{"id":"a-b","notebook":"01_x","claim":"x \u003c y | z ≤ 1","measured":{"z":0.12345678,"n":3},"holds":true,"backend":"go","quick":false,"time":"2026-01-01T00:00:00Z"}`+"\n"+
		`{"id":"c","notebook":"02_y","claim":"no","measured":{"m":1e-7},"holds":false,"backend":"xla","quick":false,"time":"2026-01-01T00:00:01Z"}`+"\n")
	write(runlog, "01_x\tgo\t3\n02_y\t?\t12\n")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"results", claims, runlog, "15", outJSON, outMD}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	js, _ := os.ReadFile(outJSON)
	md, _ := os.ReadFile(outMD)
	for _, want := range []string{`"backend": "go, xla"`, `"total_seconds": 15`, `"claim": "x < y | z \u2264 1"`,
		`"z": 0.12345678`, `"m": 1e-07`, `"seconds": 12`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("results.json lacks %s:\n%s", want, js)
		}
	}
	for _, want := range []string{"- backend: go, xla", "| 02_y | ? | 12 |",
		`| 01_x | a-b | x < y \| z ≤ 1 | n=3, z=0.1235 | yes |`, "| 02_y | c | no | m=1e-07 | **no** |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("results.md lacks %s:\n%s", want, md)
		}
	}

	// No claims file: an empty table.
	if code := run([]string{"results", filepath.Join(dir, "none.jsonl"), runlog, "15", outJSON, outMD}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	md, _ = os.ReadFile(outMD)
	if !strings.Contains(string(md), "| | | (no claims recorded) | | |") {
		t.Errorf("results.md without claims:\n%s", md)
	}
	js, _ = os.ReadFile(outJSON)
	if !strings.Contains(string(js), `"claims": []`) {
		t.Errorf("results.json without claims:\n%s", js)
	}

	// A broken claim line is an error naming the line.
	write(claims, "{\"id\":\"a\"}\n{not json\n")
	stderr.Reset()
	if code := run([]string{"results", claims, runlog, "15", outJSON, outMD}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "line 2") {
		t.Errorf("broken claims: exit %d, %q", code, stderr.String())
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

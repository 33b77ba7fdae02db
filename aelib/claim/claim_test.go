package claim

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// valid returns a valid claim, for the tests to spoil.
func valid() Claim {
	return Claim{ID: "a", Notebook: "01_x", Text: "c", Measured: map[string]float64{"v": 1, "w": 2},
		Outcome: Holds, Holds: true, Backend: "go", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(*Claim)
		want  string // the error, "" for none
	}{
		{"valid", func(*Claim) {}, ""},
		{"does not hold", func(c *Claim) { c.Outcome, c.Holds = DoesNotHold, false }, ""},
		{"inconclusive", func(c *Claim) { c.Outcome, c.Holds = Inconclusive, false }, ""},
		{"no notebook", func(c *Claim) { c.Notebook = "" }, `notebook "", id "a" and claim "c" must all be non-empty`},
		{"no id", func(c *Claim) { c.ID = "" }, `notebook "01_x", id "" and claim "c" must all be non-empty`},
		{"no text", func(c *Claim) { c.Text = "" }, `notebook "01_x", id "a" and claim "" must all be non-empty`},
		{"no outcome", func(c *Claim) { c.Outcome = "" },
			`claim a: outcome "" invalid: must be "holds", "does not hold" or "inconclusive"`},
		{"unknown outcome", func(c *Claim) { c.Outcome = "maybe" },
			`claim a: outcome "maybe" invalid: must be "holds", "does not hold" or "inconclusive"`},
		{"holds against outcome", func(c *Claim) { c.Outcome = Inconclusive }, `claim a: holds true contradicts outcome "inconclusive"`},
		{"outcome holds, holds false", func(c *Claim) { c.Holds = false }, `claim a: holds false contradicts outcome "holds"`},
		{"no measurement", func(c *Claim) { c.Measured = nil }, "claim a: no measurement: a claim needs at least one measured number"},
		{"NaN", func(c *Claim) { c.Measured["w"] = math.NaN() }, "claim a: measured w = NaN invalid: must be a finite number"},
		{"Inf, the first in order", func(c *Claim) { c.Measured["w"], c.Measured["v"] = math.Inf(1), math.Inf(-1) },
			"claim a: measured v = -Inf invalid: must be a finite number"},
	}
	for _, tc := range tests {
		c := valid()
		tc.spoil(&c)
		err := c.Check()
		if got := errText(err); got != tc.want {
			t.Errorf("%s: Check() = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		c    Claim
		want string
	}{
		{Claim{ID: "a", Text: "x", Holds: true, Measured: map[string]float64{"n": 60000}}, "Claim a HOLDS: x (n=60000)"},
		{Claim{ID: "b", Text: "y", Measured: map[string]float64{"mse": 0.0351234, "acc": -0.5}}, "Claim b DOES NOT HOLD: y (acc=-0.5, mse=0.03512)"},
		{Claim{ID: "c", Text: "z", Holds: true, Quick: true, Measured: map[string]float64{"big": 1e16, "k": -3}}, "Claim c HOLDS: z (big=1e+16, k=-3) [reduced run]"},
		{Claim{ID: "d", Text: "w", Outcome: Inconclusive, Measured: map[string]float64{"gain": 0.01}}, "Claim d INCONCLUSIVE: w (gain=0.01)"},
		{Claim{ID: "e", Text: "v", Outcome: DoesNotHold, Measured: map[string]float64{"n": 1}}, "Claim e DOES NOT HOLD: v (n=1)"},
		{Claim{ID: "f", Text: "u", Outcome: Holds, Holds: true, Measured: map[string]float64{"n": 1}}, "Claim f HOLDS: u (n=1)"},
	}
	for _, tc := range tests {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	const good = `{"id":"a","notebook":"01_x","claim":"c","measured":{"v":1,"w":2},"outcome":"holds","holds":true,"backend":"go","quick":false,"time":"2026-01-01T00:00:00Z"}`
	tests := []struct {
		name     string
		line     string
		want     Outcome // when valid
		wantHold bool
		err      string // in the error, "" when valid
	}{
		{"valid", good, Holds, true, ""},
		{"before outcomes, holds", strings.Replace(good, `"outcome":"holds",`, "", 1), Holds, true, ""},
		{"before outcomes, does not hold", strings.Replace(good, `"outcome":"holds","holds":true`, `"holds":false`, 1), DoesNotHold, false, ""},
		{"inconclusive", strings.Replace(good, `"outcome":"holds","holds":true`, `"outcome":"inconclusive","holds":false`, 1), Inconclusive, false, ""},
		{"not JSON", "{not json", "", false, "not a JSON claim: invalid character"},
		{"not an object", "[1]", "", false, "not a JSON claim: json: cannot unmarshal array"},
		{"measured not a number", strings.Replace(good, `"v":1`, `"v":"one"`, 1), "", false, "not a JSON claim: json: cannot unmarshal string"},
		{"no id", strings.Replace(good, `"id":"a",`, "", 1), "", false, `id "" and claim "c" must all be non-empty`},
		{"unknown outcome", strings.Replace(good, `"outcome":"holds","holds":true`, `"outcome":"maybe","holds":false`, 1), "", false,
			`claim a: outcome "maybe" invalid`},
		{"holds against outcome", strings.Replace(good, `"outcome":"holds"`, `"outcome":"does not hold"`, 1), "", false,
			`claim a: holds true contradicts outcome "does not hold"`},
		{"no measurement", strings.Replace(good, `{"v":1,"w":2}`, `{}`, 1), "", false, "claim a: no measurement"},
	}
	for _, tc := range tests {
		c, err := Parse([]byte(tc.line))
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: err = %v, want one with %q", tc.name, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err == "" && (c.Outcome != tc.want || c.Holds != tc.wantHold || c.ID != "a" || c.Measured["w"] != 2 ||
			!c.Time.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))):
			t.Errorf("%s: Parse = %+v, want outcome %q, holds %v", tc.name, c, tc.want, tc.wantHold)
		}
	}
}

// Append writes what ReadFile reads back; invalid claims are not written.
func TestAppendReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.jsonl")
	if got, err := ReadFile(path); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("missing file: ReadFile = %v, %v; want an empty slice and no error", got, err)
	}
	a, b := valid(), valid()
	b.ID, b.Outcome, b.Holds, b.Quick, b.Measured = "b", Inconclusive, false, true, map[string]float64{"gain_mean": 0.0125}
	for _, c := range []Claim{a, b} {
		if err := Append(path, c); err != nil {
			t.Fatal(err)
		}
	}
	bad := valid()
	bad.Measured = map[string]float64{"v": math.NaN()}
	if err := Append(path, bad); err == nil || !strings.Contains(err.Error(), "measured v = NaN invalid") {
		t.Errorf("Append of an invalid claim: err = %v", err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Claim{a, b}; !reflect.DeepEqual(got, want) {
		t.Errorf("ReadFile = %+v, want %+v", got, want)
	}
	raw, _ := os.ReadFile(path)
	if lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n"); len(lines) != 2 ||
		!strings.HasPrefix(lines[0], `{"id":"a","notebook":"01_x","claim":"c","measured":{"v":1,"w":2},"outcome":"holds","holds":true,`) {
		t.Errorf("file = %q, want 2 lines with the JSON keys of the results format", raw)
	}

	// A bad line is named by file and line; blank lines are skipped.
	mixed := filepath.Join(dir, "mixed.jsonl")
	if err := os.WriteFile(mixed, append(append([]byte("\n"), raw...), "{oops\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(mixed); err == nil || !strings.Contains(err.Error(), "mixed.jsonl line 4: not a JSON claim") {
		t.Errorf("ReadFile of a bad line: err = %v", err)
	}
	if _, err := ReadFile(dir); err == nil || !strings.Contains(err.Error(), "reading claims") {
		t.Errorf("ReadFile of a directory: err = %v", err)
	}
	if err := Append(filepath.Join(dir, "no", "such.jsonl"), a); err == nil || !strings.Contains(err.Error(), "claim a: ") {
		t.Errorf("Append into a missing directory: err = %v", err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

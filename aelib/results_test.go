package aelib

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aelecture/autoencoder-go/aelib/claim"
)

func TestRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	t.Setenv(resultsEnv, path)
	t.Setenv(quickEnv, "")
	start := time.Now().UTC().Truncate(time.Second)
	BackendName() // its first call may print the backend's line
	out := outputOf(t, func() {
		if err := Record("01_flatten", "flatten-order", "flattening keeps channel order", true, map[string]float64{"mismatches": 0}); err != nil {
			t.Error(err)
		}
		t.Setenv(quickEnv, "1")
		if err := Record("02_autoencoder", "ae-reconstructs", "the AE reconstructs", false, map[string]float64{"test_mse": 0.05, "epochs": 2}); err != nil {
			t.Error(err)
		}
	})
	want := "Claim flatten-order HOLDS: flattening keeps channel order (mismatches=0)\n" +
		"Claim ae-reconstructs DOES NOT HOLD: the AE reconstructs (epochs=2, test_mse=0.05) [reduced run]\n"
	if out != want {
		t.Errorf("Record printed\n%q\nwant\n%q", out, want)
	}

	bad := []struct {
		name         string
		nb, id, text string
		measured     map[string]float64
		want         string
	}{
		{"no id", "01", "", "c", map[string]float64{"x": 1}, `aelib: record: notebook "01", id "" and claim "c" must all be non-empty`},
		{"no claim", "01", "x", "", map[string]float64{"x": 1}, "must all be non-empty"},
		{"no numbers", "01", "x", "c", nil, "aelib: record: claim x: no measurement: a claim needs at least one measured number"},
		{"NaN", "01", "x", "c", map[string]float64{"y": math.NaN()}, "aelib: record: claim x: measured y = NaN invalid: must be a finite number"},
		{"Inf", "01", "x", "c", map[string]float64{"y": math.Inf(-1)}, "measured y = -Inf invalid"},
	}
	for _, tc := range bad {
		if err := Record(tc.nb, tc.id, tc.text, true, tc.measured); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}

	claims, err := claim.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 2 {
		t.Fatalf("%d claims in the file, want 2 (rejected claims are not written)", len(claims))
	}
	c := claims[1]
	if claims[0].Outcome != Holds || !claims[0].Holds || c.Outcome != DoesNotHold {
		t.Errorf("outcomes = %q (holds %v), %q; want %q (true), %q", claims[0].Outcome, claims[0].Holds, c.Outcome, Holds, DoesNotHold)
	}
	if c.ID != "ae-reconstructs" || c.Notebook != "02_autoencoder" || c.Text != "the AE reconstructs" || c.Holds || c.Measured["test_mse"] != 0.05 ||
		c.Backend != BackendName() || !c.Quick || claims[0].Quick || c.Time.Before(start) || c.Time.After(time.Now()) {
		t.Errorf("second claim = %+v", c)
	}

	// Without $AELIB_RESULTS Record only prints.
	t.Setenv(resultsEnv, "")
	out = outputOf(t, func() {
		if err := Record("01", "x", "c", true, map[string]float64{"n": 1}); err != nil {
			t.Error(err)
		}
	})
	if out != "Claim x HOLDS: c (n=1) [reduced run]\n" {
		t.Errorf("Record without $%s printed %q", resultsEnv, out)
	}
	if b, _ := os.ReadFile(path); strings.Count(string(b), "\n") != 2 {
		t.Errorf("file has %d lines after a Record without $%s", strings.Count(string(b), "\n"), resultsEnv)
	}
}

func TestRecordOutcome(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	t.Setenv(resultsEnv, path)
	t.Setenv(quickEnv, "")
	BackendName() // its first call may print the backend's line
	out := outputOf(t, func() {
		if err := RecordOutcome("07", "gain", "pretraining helps", Inconclusive, map[string]float64{"gain_mean": 0.01}); err != nil {
			t.Error(err)
		}
		err := RecordOutcome("07", "gain", "pretraining helps", "maybe", map[string]float64{"gain_mean": 0.01})
		if want := `aelib: record: claim gain: outcome "maybe" invalid: must be "holds", "does not hold" or "inconclusive"`; err == nil || err.Error() != want {
			t.Errorf("bad outcome: err = %v, want %q", err, want)
		}
	})
	if want := "Claim gain INCONCLUSIVE: pretraining helps (gain_mean=0.01)\n"; out != want {
		t.Errorf("printed %q, want %q", out, want)
	}
	claims, err := claim.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 1 || claims[0].Outcome != Inconclusive || claims[0].Holds {
		t.Errorf("written claims %+v; want one, outcome %q, holds false", claims, Inconclusive)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name     string
		diffs    []float64
		margin   float64
		mean, sd float64
		wins     int
		want     Outcome
	}{
		// diffs 1..5: mean 3, sd √2.5 ≈ 1.581, se ≈ 0.7071, so 2·se ≈ 1.414.
		{"clearly above", []float64{1, 2, 3, 4, 5}, 1.5, 3, 1.5811, 5, Holds},
		{"just inside two SE", []float64{1, 2, 3, 4, 5}, 1.6, 3, 1.5811, 5, Inconclusive},
		{"on the margin", []float64{1, 2, 3, 4, 5}, 3, 3, 1.5811, 5, Inconclusive},
		{"clearly below", []float64{1, 2, 3, 4, 5}, 4.5, 3, 1.5811, 5, DoesNotHold},
		{"zero spread, above", []float64{2, 2}, 1, 2, 0, 2, Holds},
		{"zero spread, on it", []float64{2, 2}, 2, 2, 0, 2, Inconclusive},
		{"losses", []float64{-3, -2, -1, 1}, 0, -1.25, 1.7078, 1, Inconclusive},
		{"clear loss", []float64{-3, -2.5, -3.5}, 0, -3, 0.5, 0, DoesNotHold},
	}
	for _, tc := range tests {
		c, err := Compare(tc.diffs, tc.margin)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.Outcome != tc.want || math.Abs(c.Mean-tc.mean) > 1e-9 || math.Abs(c.SD-tc.sd) > 1e-4 || c.Wins != tc.wins ||
			math.Abs(c.SE-c.SD/math.Sqrt(float64(len(tc.diffs)))) > 1e-12 {
			t.Errorf("%s: Compare = %+v, want outcome %q, mean %v, sd %v, wins %d", tc.name, c, tc.want, tc.mean, tc.sd, tc.wins)
		}
	}
	m := Comparison{Diffs: []float64{1, 2}, Mean: 1.5, SD: 0.7, SE: 0.5, Wins: 2, Margin: 1}.Measured("gain")
	if len(m) != 6 || m["gain_mean"] != 1.5 || m["gain_se"] != 0.5 || m["gain_sd"] != 0.7 || m["gain_margin"] != 1 || m["wins"] != 2 || m["seeds"] != 2 {
		t.Errorf("Measured = %v", m)
	}
	for _, bad := range []struct {
		diffs []float64
		want  string
	}{
		{nil, "aelib: compare: 0 paired differences invalid: need at least 2 seeds to measure the spread"},
		{[]float64{1}, "1 paired differences invalid"},
		{[]float64{1, math.NaN()}, "aelib: compare: difference NaN invalid: must be a finite number"},
	} {
		if _, err := Compare(bad.diffs, 0); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Compare(%v): err = %v, want %q", bad.diffs, err, bad.want)
		}
	}
}

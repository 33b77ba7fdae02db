package aelib

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	t.Setenv(resultsEnv, path)
	t.Setenv(quickEnv, "")
	start := time.Now().UTC().Truncate(time.Second)
	out := captureStdout(t, func() {
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
		{"no numbers", "01", "x", "c", nil, "aelib: record x: no measurement: a claim needs at least one measured number"},
		{"NaN", "01", "x", "c", map[string]float64{"y": math.NaN()}, "aelib: record x: measured y = NaN invalid: must be a finite number"},
		{"Inf", "01", "x", "c", map[string]float64{"y": math.Inf(-1)}, "measured y = -Inf invalid"},
	}
	for _, tc := range bad {
		if err := Record(tc.nb, tc.id, tc.text, true, tc.measured); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var claims []Claim
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c Claim
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		claims = append(claims, c)
	}
	if len(claims) != 2 {
		t.Fatalf("%d claims in the file, want 2 (rejected claims are not written)", len(claims))
	}
	c := claims[1]
	if c.ID != "ae-reconstructs" || c.Notebook != "02_autoencoder" || c.Holds || c.Measured["test_mse"] != 0.05 ||
		c.Backend != BackendName() || !c.Quick || claims[0].Quick || c.Time.Before(start) || c.Time.After(time.Now()) {
		t.Errorf("second claim = %+v", c)
	}

	// Without $AELIB_RESULTS Record only prints.
	t.Setenv(resultsEnv, "")
	out = captureStdout(t, func() {
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

func TestClaimString(t *testing.T) {
	tests := []struct {
		c    Claim
		want string
	}{
		{Claim{ID: "a", Claim: "x", Holds: true, Measured: map[string]float64{"n": 60000}}, "Claim a HOLDS: x (n=60000)"},
		{Claim{ID: "b", Claim: "y", Measured: map[string]float64{"mse": 0.0351234, "acc": -0.5}}, "Claim b DOES NOT HOLD: y (acc=-0.5, mse=0.03512)"},
		{Claim{ID: "c", Claim: "z", Holds: true, Quick: true, Measured: map[string]float64{"big": 1e16, "k": -3}}, "Claim c HOLDS: z (big=1e+16, k=-3) [reduced run]"},
	}
	for _, tc := range tests {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

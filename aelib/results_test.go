package aelib

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	t.Setenv(ResultsEnv, path)
	t.Setenv("GOMLX_BACKEND", "go")
	if err := Record("01_flatten", "flatten-order", "flattening keeps channel order", true, map[string]float64{"mismatches": 0}); err != nil {
		t.Fatal(err)
	}
	if err := Record("02_autoencoder", "ae-reconstructs", "the AE reconstructs", false, map[string]float64{"test_mse": 0.05}); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name     string
		nb, id   string
		measured map[string]float64
		wantErr  string
	}{
		{"no id", "01", "", map[string]float64{"x": 1}, "non-empty"},
		{"no numbers", "01", "x", nil, "no measurement"},
		{"NaN", "01", "x", map[string]float64{"x": math.NaN()}, "finite"},
	}
	for _, tc := range bad {
		if err := Record(tc.nb, tc.id, "c", true, tc.measured); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
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
		t.Fatalf("%d claims in the file, want 2", len(claims))
	}
	if c := claims[1]; c.ID != "ae-reconstructs" || c.Holds || c.Measured["test_mse"] != 0.05 || c.Backend == "" {
		t.Errorf("second claim = %+v", c)
	}
	if s := claims[1].String(); !strings.Contains(s, "DOES NOT HOLD") || !strings.Contains(s, "test_mse=0.05") {
		t.Errorf("String() = %q", s)
	}
}

func TestQuick(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "": false, "0": false} {
		t.Setenv(QuickEnv, v)
		if Quick() != want {
			t.Errorf("%s=%q: Quick() = %v", QuickEnv, v, !want)
		}
	}
}

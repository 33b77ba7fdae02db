package aelib

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// resultsEnv names the environment variable holding the file that Record
// appends claims to, one JSON object per line. `make lecture` sets it and
// gathers the lines into docs/results.json; when it is unset, Record only
// prints.
const resultsEnv = "AELIB_RESULTS"

// Claim is one statement of the lecture with the numbers measured to test it.
type Claim struct {
	ID       string             `json:"id"`       // e.g. "ae-reconstructs"
	Notebook string             `json:"notebook"` // e.g. "02_autoencoder"
	Claim    string             `json:"claim"`    // one sentence
	Measured map[string]float64 `json:"measured"` // name → value
	Holds    bool               `json:"holds"`
	Backend  string             `json:"backend"`
	Quick    bool               `json:"quick"` // measured with AELIB_QUICK's reduced settings
	Time     time.Time          `json:"time"`
}

// Record states that a claim of the lecture was measured: it prints one line
// ("HOLDS" or "DOES NOT HOLD", with the numbers) and, when $AELIB_RESULTS
// names a file, appends the claim to it. Measured must hold at least one
// finite number. Every notebook records its claims with it.
func Record(notebook, id, claim string, holds bool, measured map[string]float64) error {
	if notebook == "" || id == "" || claim == "" {
		return errorf("record: notebook %q, id %q and claim %q must all be non-empty", notebook, id, claim)
	}
	if len(measured) == 0 {
		return errorf("record %s: no measurement: a claim needs at least one measured number", id)
	}
	for k, v := range measured {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errorf("record %s: measured %s = %v invalid: must be a finite number", id, k, v)
		}
	}
	c := Claim{ID: id, Notebook: notebook, Claim: claim, Measured: measured, Holds: holds,
		Backend: BackendName(), Quick: isQuick(), Time: time.Now().UTC().Truncate(time.Second)}
	fmt.Println(c)
	path := os.Getenv(resultsEnv)
	if path == "" {
		return nil
	}
	line, err := json.Marshal(c)
	if err != nil {
		return errorf("record %s: %w", id, err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return errorf("record %s: %w", id, err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return errorf("record %s in %s: %w", id, path, err)
	}
	return f.Close()
}

// String formats the claim as the one line Record prints.
func (c Claim) String() string {
	verdict := "HOLDS"
	if !c.Holds {
		verdict = "DOES NOT HOLD"
	}
	var nums []string
	for _, k := range slices.Sorted(maps.Keys(c.Measured)) {
		v := c.Measured[k]
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			nums = append(nums, fmt.Sprintf("%s=%d", k, int64(v)))
		} else {
			nums = append(nums, fmt.Sprintf("%s=%.4g", k, v))
		}
	}
	q := ""
	if c.Quick {
		q = " [reduced run]"
	}
	return fmt.Sprintf("Claim %s %s: %s (%s)%s", c.ID, verdict, c.Claim, strings.Join(nums, ", "), q)
}

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
	Outcome  Outcome            `json:"outcome"`
	Holds    bool               `json:"holds"` // Outcome == Holds
	Backend  string             `json:"backend"`
	Quick    bool               `json:"quick"` // measured with AELIB_QUICK's reduced settings
	Time     time.Time          `json:"time"`
}

// Outcome is a claim's verdict: Holds, DoesNotHold or Inconclusive.
type Outcome string

// The three outcomes of a claim. Inconclusive is for a claim that compares
// runs across seeds when the measured difference is too close to the claim's
// margin to tell (see Compare).
const (
	Holds        Outcome = "holds"
	DoesNotHold  Outcome = "does not hold"
	Inconclusive Outcome = "inconclusive"
)

// Record states that a claim of the lecture was measured: it prints one line
// ("HOLDS" or "DOES NOT HOLD", with the numbers) and, when $AELIB_RESULTS
// names a file, appends the claim to it. Measured must hold at least one
// finite number. Every notebook records its claims with it or, for a claim
// that can be inconclusive, with RecordOutcome.
func Record(notebook, id, claim string, holds bool, measured map[string]float64) error {
	o := DoesNotHold
	if holds {
		o = Holds
	}
	return RecordOutcome(notebook, id, claim, o, measured)
}

// RecordOutcome is Record with any of the three outcomes, e.g. the one a
// Comparison gives.
func RecordOutcome(notebook, id, claim string, o Outcome, measured map[string]float64) error {
	if notebook == "" || id == "" || claim == "" {
		return errorf("record: notebook %q, id %q and claim %q must all be non-empty", notebook, id, claim)
	}
	if o != Holds && o != DoesNotHold && o != Inconclusive {
		return errorf("record %s: outcome %q invalid: must be %q, %q or %q", id, o, Holds, DoesNotHold, Inconclusive)
	}
	if len(measured) == 0 {
		return errorf("record %s: no measurement: a claim needs at least one measured number", id)
	}
	for k, v := range measured {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errorf("record %s: measured %s = %v invalid: must be a finite number", id, k, v)
		}
	}
	c := Claim{ID: id, Notebook: notebook, Claim: claim, Measured: measured, Outcome: o, Holds: o == Holds,
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

// Comparison is a paired comparison across seeds: per seed, the difference
// between two runs that share everything but what is compared (e.g. the test
// accuracy of a pretrained classifier minus that of one from random weights,
// trained on the same digits).
type Comparison struct {
	Diffs   []float64 // per seed
	Mean    float64   // mean difference
	SD      float64   // standard deviation over seeds (n−1 in the denominator)
	SE      float64   // standard error of the mean: SD/√n
	Wins    int       // seeds with a difference above 0
	Margin  float64   // the claim: Mean > Margin
	Outcome Outcome
}

// Compare judges the claim "the mean paired difference is above margin" from
// the per-seed differences (at least 2): Inconclusive when the mean lies
// within two standard errors of the margin, otherwise Holds above it and
// DoesNotHold below it. With margin 0 it asks whether the difference is
// distinguishable from zero.
func Compare(diffs []float64, margin float64) (Comparison, error) {
	if len(diffs) < 2 {
		return Comparison{}, errorf("compare: %d paired differences invalid: need at least 2 seeds to measure the spread", len(diffs))
	}
	c := Comparison{Diffs: slices.Clone(diffs), Margin: margin}
	for _, d := range diffs {
		if math.IsNaN(d) || math.IsInf(d, 0) {
			return Comparison{}, errorf("compare: difference %v invalid: must be a finite number", d)
		}
		c.Mean += d
		if d > 0 {
			c.Wins++
		}
	}
	n := float64(len(diffs))
	c.Mean /= n
	for _, d := range diffs {
		c.SD += (d - c.Mean) * (d - c.Mean)
	}
	c.SD = math.Sqrt(c.SD / (n - 1))
	c.SE = c.SD / math.Sqrt(n)
	switch {
	case math.Abs(c.Mean-margin) <= 2*c.SE:
		c.Outcome = Inconclusive
	case c.Mean > margin:
		c.Outcome = Holds
	default:
		c.Outcome = DoesNotHold
	}
	return c, nil
}

// Measured returns the comparison's numbers for Record, named prefix_mean,
// prefix_se, prefix_sd, prefix_margin, plus wins and seeds.
func (c Comparison) Measured(prefix string) map[string]float64 {
	return map[string]float64{prefix + "_mean": c.Mean, prefix + "_se": c.SE, prefix + "_sd": c.SD,
		prefix + "_margin": c.Margin, "wins": float64(c.Wins), "seeds": float64(len(c.Diffs))}
}

// String formats the claim as the one line Record prints.
func (c Claim) String() string {
	verdict := strings.ToUpper(string(c.Outcome))
	if c.Outcome == "" { // written before outcomes existed
		verdict = "HOLDS"
		if !c.Holds {
			verdict = "DOES NOT HOLD"
		}
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

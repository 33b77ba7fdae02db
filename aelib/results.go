package aelib

import (
	"math"
	"os"
	"slices"
	"time"

	"github.com/aelecture/autoencoder-go/aelib/claim"
)

// resultsEnv names the environment variable holding the file that Record
// appends claims to, one JSON object per line. `make lecture` sets it and
// gathers the lines into docs/results.json; when it is unset, Record only
// prints.
const resultsEnv = "AELIB_RESULTS"

// Outcome is a claim's verdict: Holds, DoesNotHold or Inconclusive (see
// package claim, which defines the record Record writes).
type Outcome = claim.Outcome

// The three outcomes of a claim. Inconclusive is for a claim that compares
// runs across seeds when the measured difference is too close to the claim's
// margin to tell (see Compare).
const (
	Holds        = claim.Holds
	DoesNotHold  = claim.DoesNotHold
	Inconclusive = claim.Inconclusive
)

// Record states that a claim of the lecture was measured: it prints one line
// ("HOLDS" or "DOES NOT HOLD", with the numbers) and, when $AELIB_RESULTS
// names a file, appends the claim to it. Measured must hold at least one
// finite number. Every notebook records its claims with it or, for a claim
// that can be inconclusive, with RecordOutcome.
func Record(notebook, id, text string, holds bool, measured map[string]float64) error {
	o := DoesNotHold
	if holds {
		o = Holds
	}
	return RecordOutcome(notebook, id, text, o, measured)
}

// RecordOutcome is Record with any of the three outcomes, e.g. the one a
// Comparison gives.
func RecordOutcome(notebook, id, text string, o Outcome, measured map[string]float64) error {
	c := claim.Claim{ID: id, Notebook: notebook, Text: text, Measured: measured, Outcome: o, Holds: o == Holds}
	if err := c.Check(); err != nil {
		return errorf(ErrInvalid, "record: %w", err)
	}
	c.Backend, c.Quick, c.Time = BackendName(), isQuick(), time.Now().UTC().Truncate(time.Second)
	printf("%s\n", c)
	path := os.Getenv(resultsEnv)
	if path == "" {
		return nil
	}
	if err := claim.Append(path, c); err != nil {
		return errorf(nil, "record: %w", err)
	}
	return nil
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
		return Comparison{}, errorf(ErrInvalid, "compare: %d paired differences invalid: need at least 2 seeds to measure the spread", len(diffs))
	}
	c := Comparison{Diffs: slices.Clone(diffs), Margin: margin}
	for _, d := range diffs {
		if math.IsNaN(d) || math.IsInf(d, 0) {
			return Comparison{}, errorf(ErrInvalid, "compare: difference %v invalid: must be a finite number", d)
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

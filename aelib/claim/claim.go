// Package claim defines the record of one claim of the lecture: a statement,
// the numbers measured to test it and its outcome. aelib.Record appends each
// claim as one JSON object per line to the file $AELIB_RESULTS names;
// `make lecture` gathers them into docs/results.json (notebooks/nbcheck) and
// the notebook tests read them. It depends on the standard library only.
package claim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// Outcome is a claim's verdict: Holds, DoesNotHold or Inconclusive.
type Outcome string

// The three outcomes of a claim. Inconclusive is for a claim that compares
// runs across seeds when the measured difference is too close to the claim's
// margin to tell.
const (
	Holds        Outcome = "holds"
	DoesNotHold  Outcome = "does not hold"
	Inconclusive Outcome = "inconclusive"
)

// Claim is one statement of the lecture with the numbers measured to test it,
// as one line of a results file.
type Claim struct {
	ID       string             `json:"id"`       // e.g. "ae-reconstructs"
	Notebook string             `json:"notebook"` // e.g. "02_autoencoder"
	Text     string             `json:"claim"`    // one sentence
	Measured map[string]float64 `json:"measured"` // name → value
	Outcome  Outcome            `json:"outcome"`
	Holds    bool               `json:"holds"` // Outcome == Holds
	Backend  string             `json:"backend"`
	Quick    bool               `json:"quick"` // measured with AELIB_QUICK's reduced settings
	Time     time.Time          `json:"time"`
}

// Check tells whether c is a valid claim: notebook, id and text non-empty,
// a valid outcome that Holds agrees with, and at least one measured number,
// all finite. The error names the claim and the first value found invalid.
func (c Claim) Check() error {
	if c.Notebook == "" || c.ID == "" || c.Text == "" {
		return fmt.Errorf("notebook %q, id %q and claim %q must all be non-empty", c.Notebook, c.ID, c.Text)
	}
	if c.Outcome != Holds && c.Outcome != DoesNotHold && c.Outcome != Inconclusive {
		return fmt.Errorf("claim %s: outcome %q invalid: must be %q, %q or %q", c.ID, c.Outcome, Holds, DoesNotHold, Inconclusive)
	}
	if c.Holds != (c.Outcome == Holds) {
		return fmt.Errorf("claim %s: holds %v contradicts outcome %q", c.ID, c.Holds, c.Outcome)
	}
	if len(c.Measured) == 0 {
		return fmt.Errorf("claim %s: no measurement: a claim needs at least one measured number", c.ID)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Measured)) {
		if v := c.Measured[k]; math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("claim %s: measured %s = %v invalid: must be a finite number", c.ID, k, v)
		}
	}
	return nil
}

// String formats the claim as the one line aelib.Record prints, e.g.
// "Claim ae-reconstructs HOLDS: the AE reconstructs (test_mse=0.0351)".
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
	return fmt.Sprintf("Claim %s %s: %s (%s)%s", c.ID, verdict, c.Text, strings.Join(nums, ", "), q)
}

// Parse reads one line of a results file and checks the claim (see Check).
// A line written before claims had an outcome gets the one its "holds"
// says.
func Parse(line []byte) (Claim, error) {
	var c Claim
	if err := json.Unmarshal(line, &c); err != nil {
		return Claim{}, fmt.Errorf("not a JSON claim: %w", err)
	}
	if c.Outcome == "" {
		c.Outcome = DoesNotHold
		if c.Holds {
			c.Outcome = Holds
		}
	}
	if err := c.Check(); err != nil {
		return Claim{}, err
	}
	return c, nil
}

// ReadFile reads the claims of a results file, one per non-blank line (see
// Parse). A file that does not exist holds no claims: the first Append
// creates it. The slice is never nil. An error names the file and line.
func ReadFile(path string) ([]Claim, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return []Claim{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading claims: %w", err)
	}
	claims := []Claim{}
	for n, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		c, err := Parse(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n+1, err)
		}
		claims = append(claims, c)
	}
	return claims, nil
}

// Append checks c (see Check) and appends it to the results file at path as
// one line of JSON, creating the file if needed.
func Append(path string, c Claim) error {
	if err := c.Check(); err != nil {
		return err
	}
	line, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("claim %s: %w", c.ID, err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("claim %s: %w", c.ID, err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("claim %s: appending to %s: %w", c.ID, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("claim %s: appending to %s: %w", c.ID, path, err)
	}
	return nil
}

package aelib

import (
	"math"
	"slices"
	"sort"
)

// ROCCurve is the receiver operating characteristic of a score that flags
// anomalies: for each threshold, the share of normal digits flagged (false
// positive rate) against the share of anomalous digits flagged (true
// positive rate). Notebook 10 draws it with Curves and reports its area.
type ROCCurve struct {
	// FPR and TPR are the curve's points, from (0, 0) to (1, 1): one more
	// than the distinct scores, each point flagging the scores ≥ one of
	// them. Equal scores are one step, a diagonal when it holds both kinds.
	FPR, TPR []float64
	// AUROC is the area under the curve: the probability that a random
	// anomalous digit scores higher than a random normal one, a tie
	// counting ½ (the Mann–Whitney U statistic over the number of pairs).
	// 1 separates perfectly, 0.5 is chance.
	AUROC float64
}

// ROC returns the ROC curve of scores (higher means more anomalous) against
// the truth anomalous, one flag per score. It needs finite scores and at
// least one anomalous and one normal score.
func ROC(scores []float64, anomalous []bool) (ROCCurve, error) {
	pos, err := scoreCheck("ROC", scores, anomalous)
	if err != nil {
		return ROCCurve{}, err
	}
	neg := len(scores) - pos
	if neg == 0 {
		return ROCCurve{}, errorf(ErrInvalid, "ROC normal count 0 invalid: need at least one normal and one anomalous score")
	}
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })
	c := ROCCurve{FPR: []float64{0}, TPR: []float64{0}}
	tp, fp := 0, 0
	for i, k := range order {
		if anomalous[k] {
			tp++
		} else {
			fp++
		}
		if i+1 < len(order) && scores[order[i+1]] == scores[k] {
			continue // a tie: one step for all equal scores
		}
		x, y := float64(fp)/float64(neg), float64(tp)/float64(pos)
		c.AUROC += (x - c.FPR[len(c.FPR)-1]) * (y + c.TPR[len(c.TPR)-1]) / 2
		c.FPR, c.TPR = append(c.FPR, x), append(c.TPR, y)
	}
	return c, nil
}

// scoreCheck checks the scores and flags of op and returns the number of
// anomalous ones, which must be at least one.
func scoreCheck(op string, scores []float64, anomalous []bool) (int, error) {
	if len(scores) == 0 {
		return 0, errorf(ErrInvalid, "%s score count 0 invalid: need at least one score", op)
	}
	if len(anomalous) != len(scores) {
		return 0, errorf(ErrInvalid, "%s flag count %d invalid: must be %d (one per score)", op, len(anomalous), len(scores))
	}
	pos := 0
	for i, s := range scores {
		if !finite(s) {
			return 0, errorf(ErrInvalid, "%s score %d (%v) invalid: must be a finite number", op, i, s)
		}
		if anomalous[i] {
			pos++
		}
	}
	if pos == 0 {
		return 0, errorf(ErrInvalid, "%s anomalous count 0 invalid: need at least one anomalous score", op)
	}
	return pos, nil
}

// Threshold returns the quantile q (0..1, e.g. 0.95) of scores, those of
// held-out normal digits: the score a share q of them stay at or under.
// Between the sorted scores x₀ ≤ … ≤ xₙ₋₁ it interpolates linearly: with
// h = (n−1)·q, it is x⌊h⌋ + (h−⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋), as numpy.quantile's
// default ("linear") and R's type 7. q = 0 gives the smallest score, 1 the
// largest.
func Threshold(scores []float64, q float64) (float64, error) {
	if len(scores) == 0 {
		return 0, errorf(ErrInvalid, "threshold score count 0 invalid: need at least one score")
	}
	if !(q >= 0 && q <= 1) {
		return 0, errorf(ErrInvalid, "threshold quantile %v invalid: must be in 0..1", q)
	}
	for i, s := range scores {
		if !finite(s) {
			return 0, errorf(ErrInvalid, "threshold score %d (%v) invalid: must be a finite number", i, s)
		}
	}
	x := slices.Sorted(slices.Values(scores))
	h := float64(len(x)-1) * q
	lo := int(math.Floor(h))
	if lo >= len(x)-1 {
		return x[len(x)-1], nil
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo]), nil
}

// PrecisionRecall flags the scores above threshold (score > threshold) and
// compares the flags with the truth anomalous, one per score. Precision is
// the share of flagged digits that are anomalous, 1 when none is flagged
// (no false alarm; scikit-learn's precision_recall_curve ends on the same
// point); recall is the share of anomalous digits flagged. It needs finite
// scores, at least one anomalous, and a threshold that is not NaN.
func PrecisionRecall(scores []float64, anomalous []bool, threshold float64) (precision, recall float64, err error) {
	pos, err := scoreCheck("precision-recall", scores, anomalous)
	if err != nil {
		return 0, 0, err
	}
	if math.IsNaN(threshold) {
		return 0, 0, errorf(ErrInvalid, "precision-recall threshold NaN invalid: must be a number")
	}
	tp, flagged := 0, 0
	for i, s := range scores {
		if s > threshold {
			flagged++
			if anomalous[i] {
				tp++
			}
		}
	}
	precision = 1
	if flagged > 0 {
		precision = float64(tp) / float64(flagged)
	}
	return precision, float64(tp) / float64(pos), nil
}

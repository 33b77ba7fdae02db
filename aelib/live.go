package aelib

import (
	"encoding/base64"
	"fmt"
	"math"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// liveLoss is the loss chart of a training while it runs. A nil *liveLoss
// records and draws nothing (a training without a chart).
type liveLoss struct {
	title, ylabel       string
	perEpoch            float64
	steps, means, tests []float64
	id                  string    // display id of the transient output, "" until shown
	last                time.Time // time of the last redraw
}

// newLiveLoss starts a live loss chart; inside a notebook (gonbui.IsNotebook) it redraws in a transient
// output at most once a second; outside one it only records.
func newLiveLoss(title, ylabel string, stepsPerEpoch float64) *liveLoss {
	return &liveLoss{title: title, ylabel: ylabel, perEpoch: stepsPerEpoch}
}

// step records one training step's loss.
func (l *liveLoss) step(loss float64) {
	if l != nil {
		l.steps = append(l.steps, loss)
		l.redraw()
	}
}

// epoch records the mean training loss of an epoch and its test error; test is NaN when there is none.
func (l *liveLoss) epoch(trainMean, test float64) {
	if l != nil {
		l.means = append(l.means, trainMean)
		if !math.IsNaN(test) {
			l.tests = append(l.tests, test)
		}
		l.redraw()
	}
}

// redraw draws the chart into the transient output, inside a notebook and
// at most once a second.
func (l *liveLoss) redraw() {
	if !gonbui.IsNotebook || time.Since(l.last) < time.Second {
		return
	}
	l.last = time.Now()
	f, err := l.chart()
	if err != nil {
		return
	}
	if l.id == "" {
		l.id = "aelib_live_" + gonbui.UniqueId()
	}
	gonbui.UpdateHTML(l.id, fmt.Sprintf(`<img src="data:image/png;base64,%s" width="%d" height="%d" alt="live loss chart">`,
		base64.StdEncoding.EncodeToString(f.PNG), f.Width, f.Height))
}

// chart draws what was recorded.
func (l *liveLoss) chart() (*Figure, error) {
	return lossChart(l.title, l.ylabel, l.steps, l.perEpoch, l.means, l.tests)
}

// done draws the final chart: inside a notebook it clears the transient output and displays the final PNG as an
// ordinary, persistent output; it returns the figure in any case.
func (l *liveLoss) done() (*Figure, error) {
	if l == nil {
		return nil, nil
	}
	if l.id != "" {
		gonbui.UpdateHTML(l.id, "")
		l.id = ""
	}
	f, err := l.chart()
	if err != nil {
		return nil, err
	}
	f.Show()
	return f, nil
}

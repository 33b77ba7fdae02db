package notebooks

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// run is one notebook execution of TestNotebooks, run as the subtest name.
type run struct {
	name string
	f    func(t *testing.T)
}

// parallelism is how many notebook runs go at a time: go test's -parallel (GOMAXPROCS by default).
// A run is mostly one process at a time (GoNB's go build and link of each cell, then the cell's
// program), so two at a time keep a 2-core machine busy.
func parallelism() int {
	if f := flag.Lookup("test.parallel"); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if n, ok := g.Get().(int); ok && n > 0 {
				return n
			}
		}
	}
	return runtime.GOMAXPROCS(0)
}

// runAll runs runs as subtests of t, at most workers at a time, each after the runs it depends on
// (deps: name → names) have ended without failing; a run whose dependency failed is skipped (a
// skipped dependency, a notebook not written yet, counts as ended: the run's own checks then say
// what it lacks). The runs others depend on go first, the others in their order as slots free up.
func runAll(t *testing.T, workers int, runs []run, deps map[string][]string) {
	dependents := map[string]int{}
	for _, ds := range deps {
		for _, d := range ds {
			dependents[d]++
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return dependents[runs[i].name] > dependents[runs[j].name] })
	const (
		waiting = iota
		running
		passed
		failed
	)
	state := map[string]int{}
	for _, r := range runs {
		state[r.name] = waiting
	}
	// ready tells whether r can start now; a non-empty why means it never can.
	ready := func(r run) (ok bool, why string) {
		for _, d := range deps[r.name] {
			switch st, known := state[d]; {
			case !known:
				// not among the runs (a notebook being written): nothing to wait for
			case st == failed:
				return false, d + " did not pass: this run loads the models it saves"
			case st != passed:
				return false, ""
			}
		}
		return true, ""
	}
	type result struct {
		name string
		ok   bool
	}
	results := make(chan result)
	busy, left := 0, len(runs)
	for left > 0 {
		// Start what can start; repeat while a pass skipped or started something.
		for progress := true; progress; {
			progress = false
			for _, r := range runs {
				if state[r.name] != waiting || busy == workers {
					continue
				}
				ok, why := ready(r)
				switch {
				case why != "":
					state[r.name] = failed
					left--
					t.Run(r.name, func(t *testing.T) { t.Skip(why) })
					progress = true
				case ok:
					state[r.name] = running
					busy++
					go func() { results <- result{r.name, t.Run(r.name, r.f)} }()
					progress = true
				}
			}
		}
		if busy == 0 {
			if left > 0 {
				t.Fatalf("%d runs wait for each other (deps %v)", left, deps)
			}
			break
		}
		res := <-results
		busy--
		left--
		state[res.name] = failed
		if res.ok {
			state[res.name] = passed
		}
	}
}

// timeTable collects where each run's time went, for the log.
type timeTable struct {
	mu   sync.Mutex
	rows []timeRow
}

type timeRow struct {
	name         string
	cells        int
	wall, inCell time.Duration
}

// add records a run: its wall time, and the time from the first cell's start to the last cell's
// end as the kernel reports them (GoNB stamps whole seconds); the rest is nbconvert and the
// kernel's start and shutdown.
func (tt *timeTable) add(name string, nb *Notebook, wall time.Duration) {
	row := timeRow{name: name, wall: wall}
	var start, end time.Time
	for _, c := range nb.CodeCells() {
		row.cells++
		s, err1 := time.Parse(time.RFC3339Nano, c.Metadata.Execution.Start)
		e, err2 := time.Parse(time.RFC3339Nano, c.Metadata.Execution.End)
		if err1 != nil || err2 != nil {
			continue
		}
		if start.IsZero() || s.Before(start) {
			start = s
		}
		if e.After(end) {
			end = e
		}
	}
	if !start.IsZero() {
		row.inCell = end.Sub(start)
	}
	tt.mu.Lock()
	defer tt.mu.Unlock()
	tt.rows = append(tt.rows, row)
}

// String is the table, longest run first, and the sum.
func (tt *timeTable) String() string {
	tt.mu.Lock()
	rows := slices.Clone(tt.rows)
	tt.mu.Unlock()
	sort.Slice(rows, func(i, j int) bool { return rows[i].wall > rows[j].wall })
	sum := timeRow{name: "sum"}
	for _, r := range rows {
		sum.wall += r.wall
		sum.inCell += r.inCell
		sum.cells += r.cells
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "    %-42s %7s %8s %6s %7s\n", "run", "wall s", "cells s", "cells", "s/cell")
	for _, r := range append(rows, sum) {
		perCell := 0.0
		if r.cells > 0 {
			perCell = r.inCell.Seconds() / float64(r.cells)
		}
		fmt.Fprintf(&sb, "    %-42s %7.1f %8.0f %6d %7.1f\n", r.name, r.wall.Seconds(), r.inCell.Seconds(), r.cells, perCell)
	}
	return sb.String()
}

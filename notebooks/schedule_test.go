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

// runAll runs runs as subtests of t, at most workers at a time: first (if among them) before the
// runs in needsFirst, which are skipped if it fails; the others in their order as slots free up.
func runAll(t *testing.T, workers int, runs []run) {
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].name == first && runs[j].name != first })
	const (
		waiting = iota
		running
		passed
		failed
	)
	state := make([]int, len(runs))
	firstState := passed // no run of first: the others do not wait
	for _, r := range runs {
		if r.name == first {
			firstState = waiting
		}
	}
	type result struct {
		i  int
		ok bool
	}
	results := make(chan result)
	busy, left := 0, len(runs)
	for left > 0 {
		for i, r := range runs {
			if busy == workers {
				break
			}
			if state[i] != waiting {
				continue
			}
			if needsFirst[r.name] {
				if firstState == failed {
					state[i] = failed
					left--
					t.Run(r.name, func(t *testing.T) { t.Skipf("%s did not pass: this run needs the model it saves", first) })
					continue
				}
				if firstState != passed {
					continue
				}
			}
			state[i] = running
			busy++
			go func() { results <- result{i, t.Run(r.name, r.f)} }()
		}
		if busy == 0 {
			break // nothing running and nothing can start: only runs skipped above were left
		}
		res := <-results
		busy--
		left--
		state[res.i] = failed
		if res.ok {
			state[res.i] = passed
		}
		if runs[res.i].name == first {
			firstState = state[res.i]
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
	fmt.Fprintf(&sb, "    %-36s %7s %8s %6s %7s\n", "run", "wall s", "cells s", "cells", "s/cell")
	for _, r := range append(rows, sum) {
		perCell := 0.0
		if r.cells > 0 {
			perCell = r.inCell.Seconds() / float64(r.cells)
		}
		fmt.Fprintf(&sb, "    %-36s %7.1f %8.0f %6d %7.1f\n", r.name, r.wall.Seconds(), r.inCell.Seconds(), r.cells, perCell)
	}
	return sb.String()
}

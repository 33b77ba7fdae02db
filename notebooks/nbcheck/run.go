package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aelecture/autoencoder-go/notebooks"
)

// runNotebooks is `nbcheck run`: it executes each notebook named in args with notebooks.Run,
// prints one line per notebook (name, backend, seconds, then "ok" or what failed, with the
// problems indented below), and returns the exit status: 0 when every notebook ran cleanly, 1
// when one did not, 2 for a usage error or a run log that could not be written.
func runNotebooks(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nbcheck run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", ".", "directory of the executed NAME.ipynb, NAME.html (-html) and, when it failed, NAME.log")
	timeout := fs.Int("cell-timeout", 1200, "seconds one cell may run")
	html := fs.Bool("html", false, "also export each executed notebook as NAME.html")
	runlog := fs.String("runlog", "", "file to append a line \"NAME<tab>BACKEND<tab>SECONDS\" to per notebook, for nbcheck results")
	jupyter := fs.String("jupyter", defaultJupyter(), "the jupyter command ($AELIB_JUPYTER when set)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "nbcheck run: no notebook given; usage: nbcheck run [flags] NOTEBOOK.ipynb...")
		return 2
	}
	if *timeout < 1 {
		fmt.Fprintf(stderr, "nbcheck run: -cell-timeout %d invalid: must be a whole number of seconds ≥ 1\n", *timeout)
		return 2
	}
	opts := notebooks.RunOptions{Jupyter: *jupyter, OutDir: *out, CellTimeout: time.Duration(*timeout) * time.Second, HTML: *html}
	status := 0
	for _, path := range fs.Args() {
		r, err := notebooks.Run(context.Background(), path, opts)
		backend := "?"
		if r.Notebook != nil {
			backend = r.Notebook.Backend()
		}
		secs := int(r.Elapsed.Round(time.Second) / time.Second)
		fmt.Fprintf(stdout, "%-28s %-10s %5ds  %s\n", r.Name, backend, secs, summary(err, r))
		for _, p := range r.Problems {
			fmt.Fprintln(stdout, "    "+strings.ReplaceAll(p, "\n", "\n    "))
		}
		if err != nil || len(r.Problems) > 0 {
			status = 1
		} else {
			os.Remove(r.Log)
		}
		if *runlog != "" {
			if err := appendLine(*runlog, fmt.Sprintf("%s\t%s\t%d", r.Name, backend, secs)); err != nil {
				fmt.Fprintln(stderr, "nbcheck run:", err)
				return 2
			}
		}
	}
	return status
}

// summary is the status of one run, as its line ends: "ok", "errors:" (the problems follow), or
// the first line of what failed, pointing to the log when there is one.
func summary(err error, r notebooks.Result) string {
	switch {
	case err != nil:
		first, _, _ := strings.Cut(err.Error(), "\n")
		if _, statErr := os.Stat(r.Log); statErr == nil {
			first += " (see " + r.Log + ")"
		}
		return first
	case len(r.Problems) > 0:
		return "errors:"
	}
	return "ok"
}

// defaultJupyter is the jupyter command: $AELIB_JUPYTER (the venv's, set by the Makefile) or
// "jupyter" on PATH.
func defaultJupyter() string {
	if j := os.Getenv("AELIB_JUPYTER"); j != "" {
		return j
	}
	return "jupyter"
}

// appendLine appends line and a newline to the file at path, creating it if needed.
func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("run log: %w", err)
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("run log %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("run log %s: %w", path, err)
	}
	return nil
}

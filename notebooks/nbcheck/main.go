// Command nbcheck runs and checks the lecture's notebooks and gathers the lecture's results.
// .ci/lecture.sh (make lecture) and .ci/bench/bench.py (make bench) build it once per run:
//
//	nbcheck run [-out DIR] [-cell-timeout SECONDS] [-html] [-runlog FILE] [-jupyter CMD] NOTEBOOK.ipynb...
//	    execute each notebook headless in a fresh GoNB kernel (notebooks.Run: jupyter nbconvert)
//	    into DIR/NAME.ipynb (and DIR/NAME.html with -html), and print one line per notebook: its
//	    name, backend, seconds and "ok", or what failed with the problems indented below; nbconvert's
//	    log DIR/NAME.log is kept when it failed. With -runlog, append "NAME\tBACKEND\tSECONDS" per
//	    notebook to FILE. Exit status 1 if any notebook failed
//	nbcheck check NOTEBOOK.ipynb
//	    print what a student would see as a failure in the executed notebook, one line each
//	    (see notebooks.Notebook.Problems); exit status 1 if anything did fail
//	nbcheck backend NOTEBOOK.ipynb
//	    print the backend the notebook ran on: "go", "xla", or "?" when it named none
//	nbcheck results CLAIMS_JSONL RUNLOG_TSV TOTAL_SECONDS OUT_JSON OUT_MD
//	    write docs/results.json and docs/results.md from the claims aelib.Record appended to
//	    $AELIB_RESULTS (CLAIMS_JSONL, may be missing: no claims) and the run's log (RUNLOG_TSV:
//	    notebook, backend, seconds per line, tab-separated, as nbcheck run -runlog writes it)
//
// Exit status 2 means a usage error or a file that could not be read or written.
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/aelecture/autoencoder-go/notebooks"
)

const usage = `usage:
  nbcheck run [-out DIR] [-cell-timeout SECONDS] [-html] [-runlog FILE] [-jupyter CMD] NOTEBOOK.ipynb...
                                   execute notebooks headless into DIR; exit 1 if any failed
  nbcheck check NOTEBOOK.ipynb     print the problems of an executed notebook; exit 1 if any
  nbcheck backend NOTEBOOK.ipynb   print the backend it ran on ("go", "xla" or "?")
  nbcheck results CLAIMS_JSONL RUNLOG_TSV TOTAL_SECONDS OUT_JSON OUT_MD
                                   write docs/results.json and docs/results.md
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one nbcheck command and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintln(stderr, "nbcheck:", err)
		return 2
	}
	switch {
	case len(args) >= 1 && args[0] == "run":
		return runNotebooks(args[1:], stdout, stderr)
	case len(args) == 2 && args[0] == "check":
		nb, err := notebooks.ReadNotebook(args[1])
		if err != nil {
			return fail(err)
		}
		problems := nb.Problems()
		for _, p := range problems {
			fmt.Fprintln(stdout, p)
		}
		if len(problems) > 0 {
			return 1
		}
		return 0
	case len(args) == 2 && args[0] == "backend":
		nb, err := notebooks.ReadNotebook(args[1])
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, nb.Backend())
		return 0
	case len(args) == 6 && args[0] == "results":
		total, err := strconv.Atoi(args[3])
		if err != nil {
			return fail(fmt.Errorf("TOTAL_SECONDS %q: %w", args[3], err))
		}
		if err := writeResults(args[1], args[2], total, args[4], args[5]); err != nil {
			return fail(err)
		}
		return 0
	}
	fmt.Fprint(stderr, usage)
	return 2
}

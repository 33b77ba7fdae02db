package notebooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// browserRun is one notebook the browser test opens in JupyterLab.
type browserRun struct {
	Notebook string
	// Edit, if set, finds a hyperparameter in the notebook's source: the first match's group 1
	// must be a number, which the browser changes (+1) before re-running the cell.
	Edit *regexp.Regexp
	// EditOptional: a notebook without a match is run without the edit step.
	EditOptional bool
	// Fault, if set, is passed to run.mjs as AELIB_BROWSER_FAULT: a failure the run must recover from.
	Fault string
	// Explorers is the least number of aelib.Explore sliders the page must hold; run.mjs moves a
	// slider of each and requires its image to change.
	Explorers int
}

// settingsEpochs matches the number of epochs in a notebook's settings cell.
var settingsEpochs = regexp.MustCompile(`Epochs:\s*(\d+)`)

// browserRuns: the set-up notebook, a training notebook, where the student changes the epochs in
// the settings cell, the generation notebook, whose explorer's slider the student moves, and the
// set-up notebook again with a kernel that fails to start at first (JupyterLab reports the error,
// then asks for a kernel: run.mjs must answer and go on).
var browserRuns = []browserRun{
	{Notebook: "00_setup.ipynb", Edit: settingsEpochs, EditOptional: true},
	{Notebook: "02_autoencoder.ipynb", Edit: settingsEpochs},
	{Notebook: "05_generation.ipynb", Explorers: 1},
	{Notebook: "00_setup.ipynb", Fault: "kernel-start-fails"},
}

// TestBrowser runs notebooks the way a student does: JupyterLab from the venv, Debian's chromium
// driven by playwright-core (.ci/browser/run.mjs), Run → Run All Cells, then one setting edited and
// the notebook re-run from that cell down. What it checks is the rendered page, as the student sees
// it (no error output, a figure in every `// figure` cell, no pop-up over the notebook), not the
// notebook file JupyterLab saves. Screenshots go to the directory
// $AELIB_SCREENSHOTS names (`make screenshots` uses docs/images/), else to a temporary directory.
// With AELIB_BROWSER_FULL=1 the notebooks run at full size with the project's .checkpoints/
// (what a student sees after `make lecture`); otherwise reduced (AELIB_QUICK=1) with fresh checkpoints.
func TestBrowser(t *testing.T) {
	jupyter := jupyterPath(t)
	root := repoRoot(t)
	runner := os.Getenv(envRunner)
	if runner == "" {
		runner = filepath.Join(root, ".ci", "browser", "run.mjs")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(runner), "node_modules", "playwright-core")); err != nil {
		t.Fatalf("playwright-core is not installed next to %s: run `make test` (it runs npm ci in .ci/browser)", runner)
	}
	chromium := os.Getenv("AELIB_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s is missing: run `make test` (it installs Debian's chromium)", chromium)
	}

	var runs []browserRun
	for _, r := range browserRuns {
		if r.Fault != "" && os.Getenv("AELIB_BROWSER_FULL") == "1" {
			continue // screenshots at full size: no fault runs
		}
		if _, err := os.Stat(r.Notebook); err == nil {
			runs = append(runs, r)
		} else {
			t.Logf("%s does not exist yet: not run in the browser", r.Notebook)
		}
	}
	if len(runs) == 0 {
		t.Skip("neither 00_setup.ipynb nor 02_autoencoder.ipynb exists yet")
	}

	// JupyterLab serves a copy of notebooks/, so the run leaves the repository's notebooks untouched.
	// The copy sits directly under the module root (a dot directory: Go and git ignore it), because
	// each notebook's first cell finds go.mod at "${GONB_DIR}/..".
	copyDir, err := os.MkdirTemp(root, ".nbtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(copyDir) })
	if err := copyNotebooksDir(".", copyDir); err != nil {
		t.Fatal(err)
	}

	shots := os.Getenv("AELIB_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if shots, err = filepath.Abs(shots); err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	base := startJupyterLab(t, ctx, jupyter, copyDir)

	for _, r := range runs {
		name := strings.TrimSuffix(r.Notebook, ".ipynb")
		if r.Fault != "" {
			name += ", " + r.Fault
		}
		t.Run(name, func(t *testing.T) {
			shot := "jupyterlab_" + strings.TrimSuffix(r.Notebook, ".ipynb") + ".png"
			if r.Fault != "" {
				shot = "fault_" + r.Fault + "_" + shot
			}
			args := []string{runner, base, r.Notebook, filepath.Join(shots, shot)}
			if r.Edit != nil {
				spec, err := editSpec(r.Notebook, r.Edit)
				switch {
				case err == errNoMatch && r.EditOptional:
					t.Logf("%s: no cell matches %s; running without the edit step", r.Notebook, r.Edit)
				case err != nil:
					t.Fatal(err)
				default:
					args = append(args, spec)
				}
			}
			cmd := exec.CommandContext(ctx, "node", args...)
			cmd.Env = mergeEnv(os.Environ(), []string{"AELIB_CHROMIUM=" + chromium,
				fmt.Sprintf("AELIB_BROWSER_TIMEOUT_S=%d", cellTimeout), "AELIB_BROWSER_FAULT=" + r.Fault,
				fmt.Sprintf("AELIB_BROWSER_EXPLORERS=%d", r.Explorers)})
			start := time.Now()
			out, err := cmd.CombinedOutput()
			t.Logf("%s in JupyterLab + chromium: %.1fs\n%s", r.Notebook, time.Since(start).Seconds(), strings.TrimSpace(string(out)))
			if err != nil {
				t.Fatalf("browser run of %s failed: %v", r.Notebook, err)
			}
		})
	}
}

// editSpec builds run.mjs's edit argument: in the cell holding the first match of re, change the
// number in group 1 to the number plus one. It reads the notebook's source, before the run.
func editSpec(notebookPath string, re *regexp.Regexp) (string, error) {
	nb, err := ReadNotebook(notebookPath)
	if err != nil {
		return "", err
	}
	for _, c := range nb.CodeCells() {
		m := re.FindStringSubmatchIndex(string(c.Source))
		if m == nil {
			continue
		}
		src := string(c.Source)
		from := src[m[0]:m[1]]
		n, err := strconv.Atoi(src[m[2]:m[3]])
		if err != nil {
			return "", fmt.Errorf("%s: %q: %w", notebookPath, from, err)
		}
		to := src[m[0]:m[2]] + strconv.Itoa(n+1) + src[m[3]:m[1]]
		spec, err := json.Marshal(map[string]string{"contains": from, "from": from, "to": to})
		return string(spec), err
	}
	return "", errNoMatch
}

// errNoMatch: no code cell holds the hyperparameter the browser test edits.
var errNoMatch = errors.New("no code cell holds the hyperparameter to edit")

// copyNotebooksDir copies notebooks/ into dst, without what `make lab` hides from students: Go
// files, directories of Go code (notebooks/nbcheck) and hidden entries.
func copyNotebooksDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if rel != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if rel != "." {
				if goFiles, _ := filepath.Glob(filepath.Join(path, "*.go")); len(goFiles) > 0 {
					return filepath.SkipDir
				}
			}
			return os.MkdirAll(target, 0o755)
		}
		if strings.HasSuffix(path, ".go") || !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// startJupyterLab starts `jupyter lab` on a free local port serving dir, waits until it answers,
// and stops it (with its kernels) when the test ends. It returns the base URL with the token.
func startJupyterLab(t *testing.T, ctx context.Context, jupyter, dir string) string {
	t.Helper()
	port := freePort(t)
	tokenBytes := make([]byte, 16)
	_, _ = rand.Read(tokenBytes)
	token := hex.EncodeToString(tokenBytes)
	state := t.TempDir()
	logPath := filepath.Join(state, "jupyterlab.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(jupyter, "lab", "--no-browser",
		"--ServerApp.ip=127.0.0.1", fmt.Sprintf("--ServerApp.port=%d", port), "--ServerApp.port_retries=0",
		"--IdentityProvider.token="+token, "--ServerApp.root_dir="+dir,
		"--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
		"--MappingKernelManager.cull_idle_timeout=0")
	if os.Geteuid() == 0 {
		cmd.Args = append(cmd.Args, "--allow-root") // CI runs as root
	}
	cmd.Dir = dir
	size := []string{envQuick + "=1", envCheckpoints + "=" + filepath.Join(state, "checkpoints")}
	if os.Getenv("AELIB_BROWSER_FULL") == "1" {
		// Full size, on a copy of the project's .checkpoints/ (the models `make lecture` trained):
		// the run, and its edited hyperparameter, must not change what a student's notebooks load.
		ckpt := filepath.Join(state, "checkpoints")
		if err := exec.Command("cp", "-r", filepath.Join(filepath.Dir(dir), ".checkpoints"), ckpt).Run(); err != nil {
			t.Logf("no .checkpoints/ to copy (%v): the notebooks train at full size", err)
		}
		size = []string{envQuick + "=", envCheckpoints + "=" + ckpt}
	}
	cmd.Env = jupyterEnv(t, jupyter, append(size,
		envResults+"="+filepath.Join(state, "results.jsonl"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(state, "config"),
		"JUPYTER_DATA_DIR="+filepath.Join(state, "data"), // notebook-signing key; kernels still come from the venv
		"JUPYTERLAB_SETTINGS_DIR="+filepath.Join(state, "settings"),
		"JUPYTERLAB_WORKSPACES_DIR="+filepath.Join(state, "workspaces"),
	)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// The user settings start empty, as a newcomer's: that no "get notified about Jupyter news?"
	// pop-up shows is up to the project's lab settings (the overrides.json `make setup` writes in
	// the venv), and run.mjs checks it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// Ask the server to shut down (it stops its kernels), then make sure its process group is gone.
		req, _ := http.NewRequest("POST", base+"api/shutdown", nil)
		req.Header.Set("Authorization", "token "+token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		logFile.Close()
		if t.Failed() {
			t.Logf("JupyterLab log (last lines):\n%s", logTail(logPath, 60))
		}
	})

	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(base + "api/status?token=" + token)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-exited:
			t.Fatalf("JupyterLab exited before answering on %s:\n%s", base, logTail(logPath, 40))
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("JupyterLab did not answer on %s within 90s:\n%s", base, logTail(logPath, 40))
		}
		time.Sleep(300 * time.Millisecond)
	}
	return base + "?token=" + token
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

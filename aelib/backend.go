package aelib

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/pjrt"
	_ "github.com/gomlx/gomlx/backends/default" // registers the "xla" and "go" backends
)

// pluginDir is where `make xla` installs the XLA CPU plugin, relative to the
// project root. Backend looks there when PJRT_PLUGIN_LIBRARY_PATH is unset.
const pluginDir = ".xla"

var (
	backendOnce    sync.Once
	backendVal     compute.Backend
	backendErr     error
	backendLine    string
	backendName    string
	backendPrinted bool
)

// Backend returns the compute backend every notebook runs on, created once
// per process. The choice, printed as one line starting with "Backend:":
//
//  1. $GOMLX_BACKEND when set (e.g. "go", "xla:cpu", "xla:/abs/path/plugin.so");
//  2. otherwise XLA on the CPU when its plugin loads: the project's own copy in
//     .xla/ (`make xla`), else one GoMLX finds installed or downloads from GitHub;
//  3. otherwise the pure Go backend, saying why XLA was not used.
//
// It never panics: a bad $GOMLX_BACKEND is returned as an error.
// Taught in 00_setup.
func Backend() (compute.Backend, error) {
	backendOnce.Do(func() {
		backendVal, backendName, backendLine, backendErr = newBackend()
		if backendErr == nil && firstInSession("backend") {
			fmt.Println(backendLine)
			backendPrinted = true
		}
	})
	return backendVal, backendErr
}

// firstInSession reports whether this is the first program of the current
// notebook session to announce what (e.g. the backend). In GoNB every cell runs as a new
// program of the same kernel process, so a marker file named after the
// parent process lets the notebook say which backend it uses once, not in
// every cell.
func firstInSession(what string) bool {
	dir := os.TempDir()
	marker := filepath.Join(dir, fmt.Sprintf("aelib-%s-%d", what, os.Getppid()))
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return !os.IsExist(err)
	}
	f.Close()
	removeStaleMarkers(dir, what)
	return true
}

// removeStaleMarkers deletes firstInSession's markers in dir whose session
// (process) has ended, so that they do not pile up. Only where /proc lists
// the live processes (Linux); elsewhere it leaves them.
func removeStaleMarkers(dir, what string) {
	if _, err := os.Stat("/proc/self"); err != nil {
		return
	}
	prefix := "aelib-" + what + "-"
	markers, _ := filepath.Glob(filepath.Join(dir, prefix+"*"))
	for _, m := range markers {
		pid := strings.TrimPrefix(filepath.Base(m), prefix)
		if _, err := strconv.Atoi(pid); err != nil {
			continue // not a marker
		}
		if _, err := os.Stat("/proc/" + pid); os.IsNotExist(err) {
			os.Remove(m)
		}
	}
}

// backendAnnouncement returns the line Backend printed (or would have printed)
// naming the backend in use and, on fallback, why.
func backendAnnouncement() string {
	if _, err := Backend(); err != nil {
		return "Backend: none (" + err.Error() + ")"
	}
	return backendLine
}

// BackendName returns the short name of the backend Backend chose ("xla" or
// "go"), or "none" when no backend could be created.
func BackendName() string {
	if _, err := Backend(); err != nil {
		return "none"
	}
	return backendName
}

// newBackend makes the choice Backend describes and returns the backend, its
// short name ("xla" or "go") and the line to print.
func newBackend() (b compute.Backend, name, line string, err error) {
	if cfg, ok := os.LookupEnv(compute.ConfigEnvVar); ok && cfg != "" {
		name, _, _ = strings.Cut(cfg, ":")
		if !slices.Contains(compute.List(), name) {
			return nil, "", "", errorf("%s=%q names no backend: valid are \"go\", \"xla\" or \"xla:<plugin or path>\"", compute.ConfigEnvVar, cfg)
		}
		b, err = safeNew(cfg)
		if err != nil {
			return nil, "", "", errorf("backend %s=%q: %s", compute.ConfigEnvVar, cfg, firstLine(err))
		}
		return b, name, fmt.Sprintf("Backend: %s (%s; from %s=%s)", name, b.Description(), compute.ConfigEnvVar, cfg), nil
	}
	where := "GoMLX's installed or downloaded CPU plugin"
	var xb compute.Backend
	var xerr error
	if p := projectPlugin(); p != "" {
		where = "CPU plugin in " + pluginDir + "/, from `make xla`"
		xb, xerr = newProjectXLA(p)
	} else {
		xb, xerr = safeNew("xla:cpu")
	}
	if xerr == nil {
		version := ""
		if m := regexp.MustCompile(` v\d+\.\d+`).FindString(xb.Description()); m != "" {
			version = " (PJRT C API" + m + ")"
		}
		return xb, "xla", fmt.Sprintf("Backend: xla on the CPU%s: %s", version, where), nil
	}
	b, err = safeNew("go")
	if err != nil {
		return nil, "", "", errorf("no backend: xla failed (%s) and go failed: %s", xlaReason(xerr), firstLine(err))
	}
	line = fmt.Sprintf("Backend: go (pure Go; XLA is unavailable: %s). For XLA run `make xla` in the project root, or see the README's Troubleshooting.",
		xlaReason(xerr))
	return b, "go", line, nil
}

// safeNew creates a backend from a $GOMLX_BACKEND-style configuration.
func safeNew(cfg string) (compute.Backend, error) {
	return safeStart(func() (compute.Backend, error) { return compute.NewWithConfig(cfg) })
}

// newProjectXLA starts XLA on the plugin `make xla` installed (its path),
// tuned by tuneProjectPlugin and with one CPU device: the plugin's default
// is 4, and aelib uses one (fewer thread hand-offs per step; measured in
// docs/performance.md).
func newProjectXLA(path string) (compute.Backend, error) {
	tuneProjectPlugin()
	return safeStart(func() (compute.Backend, error) {
		return xla.NewWithOptions(path, pjrt.NamedValuesMap{"cpu_device_count": int64(1)})
	})
}

// safeStart runs a backend's constructor, turning a panic inside it into an
// error.
func safeStart(start func() (compute.Backend, error)) (b compute.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return start()
}

// projectPlugin returns the absolute path of the XLA plugin `make xla`
// installed in the project, or "" when there is none. Loading it by path
// skips GoMLX's download from GitHub.
func projectPlugin() string {
	root, err := projectRoot()
	if err != nil {
		return ""
	}
	p := filepath.Join(root, pluginDir, "pjrt_c_api_cpu_plugin.so")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// ynnFlag is the XLA CPU option tuneProjectPlugin adds to $XLA_FLAGS.
const ynnFlag = "--xla_cpu_experimental_ynn_fusion_type"

// tuneProjectPlugin prepares the process for the plugin `make xla`
// installs, before it starts: XLA_FLAGS gains
// --xla_cpu_experimental_ynn_fusion_type=dot,eltwise,reduce (XLA then runs
// the matrix products, element-wise ops and reductions through YNNPACK's
// kernels, as JAX does by default; measured on the reference AE it compiles
// the training step in ≈ 0.7 s instead of ≈ 1.1 s, same losses), unless the
// user's XLA_FLAGS already sets it, and glibc's malloc keeps freed memory
// (keepFreedMemory). Only for that plugin: an older plugin may not know the
// flag, and XLA aborts on unknown flags.
func tuneProjectPlugin() {
	if flags := os.Getenv("XLA_FLAGS"); !strings.Contains(flags, ynnFlag) {
		os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" "+ynnFlag+"=dot,eltwise,reduce"))
	}
	keepFreedMemory()
}

// xlaReason says in a few words why XLA did not start.
func xlaReason(err error) string {
	if s := err.Error(); strings.Contains(s, "auto-install") {
		return "its CPU plugin is not installed and could not be downloaded from GitHub"
	}
	return firstLine(err)
}

// firstLine returns the first line of an error, at most 200 characters.
func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

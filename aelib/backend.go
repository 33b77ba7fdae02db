package aelib

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/pjrt"
	_ "github.com/gomlx/gomlx/backends/default" // registers the "xla" and "go" backends
)

// pluginDir is where `make xla` installs the XLA CPU plugin, relative to the
// project root. Backend looks there when $GOMLX_BACKEND is unset.
const pluginDir = ".xla"

var (
	backendOnce sync.Once
	backendVal  compute.Backend
	backendErr  error
	backendLine string
	backendName string
)

// Backend returns the compute backend every notebook runs on, created once
// per process. It chooses:
//
//  1. $GOMLX_BACKEND when set (e.g. "go", "xla:cpu", "xla:/abs/path/plugin.so");
//  2. otherwise XLA on the CPU when its plugin loads: the project's own copy in
//     .xla/ (`make xla`), else one GoMLX finds installed or downloads from GitHub;
//  3. otherwise the pure Go backend.
//
// It prints nothing: Setup prints the choice and, on fallback, why XLA was
// not used. It never panics: a bad $GOMLX_BACKEND is returned as an error.
//
// Starting the project's plugin (case 2, .xla/ only) changes two things for
// the whole process, measured to speed up training (docs/performance.md):
// $XLA_FLAGS gains --xla_cpu_experimental_ynn_fusion_type=dot,eltwise,reduce
// unless it already sets that flag, and glibc's malloc keeps freed memory for
// reuse (mallopt). AELIB_TUNE=0 in the environment turns both off. Nothing
// else in aelib changes the process's state.
func Backend() (compute.Backend, error) {
	backendOnce.Do(func() {
		backendVal, backendName, backendLine, backendErr = newBackend()
	})
	return backendVal, backendErr
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
			return nil, "", "", errorf(ErrBackend, "%s=%q names no backend: valid are \"go\", \"xla\" or \"xla:<plugin or path>\"", compute.ConfigEnvVar, cfg)
		}
		b, err = backendFrom(cfg)
		if err != nil {
			return nil, "", "", wrap(ErrBackend, fmt.Sprintf("backend %s=%q", compute.ConfigEnvVar, cfg), err)
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
		xb, xerr = backendFrom("xla:cpu")
	}
	if xerr == nil {
		version := ""
		if m := regexp.MustCompile(` v\d+\.\d+`).FindString(xb.Description()); m != "" {
			version = " (PJRT C API" + m + ")"
		}
		return xb, "xla", fmt.Sprintf("Backend: xla on the CPU%s: %s", version, where), nil
	}
	b, err = backendFrom("go")
	if err != nil {
		return nil, "", "", errorf(ErrBackend, "no backend: xla failed (%s) and go failed: %w", xlaReason(xerr), &shortError{gomlxMessage(err.Error()), err})
	}
	line = fmt.Sprintf("Backend: go (pure Go; XLA is unavailable: %s). For XLA run `make xla` in the project root, or see the README's Troubleshooting.",
		xlaReason(xerr))
	return b, "go", line, nil
}

// safeNew creates a backend from a $GOMLX_BACKEND-style configuration.
func backendFrom(cfg string) (compute.Backend, error) {
	return startBackend(func() (compute.Backend, error) { return compute.NewWithConfig(cfg) })
}

// newProjectXLA starts XLA on the plugin `make xla` installed (its path),
// tuned by tuneProjectPlugin and with one CPU device: the plugin's default
// is 4, and aelib uses one (fewer thread hand-offs per step; measured in
// docs/performance.md).
func newProjectXLA(path string) (compute.Backend, error) {
	tuneProjectPlugin()
	return startBackend(func() (compute.Backend, error) {
		return xla.NewWithOptions(path, pjrt.NamedValuesMap{"cpu_device_count": int64(1)})
	})
}

// safeStart runs a backend's constructor, turning a panic inside it into an
// error.
func startBackend(start func() (compute.Backend, error)) (b compute.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, recovered(r)
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

// tuneEnv names the environment variable that turns off tuneProjectPlugin
// ("0" or "false").
const tuneEnv = "AELIB_TUNE"

// tuneProjectPlugin prepares the process for the plugin `make xla`
// installs, before it starts, unless $AELIB_TUNE is "0": XLA_FLAGS gains
// --xla_cpu_experimental_ynn_fusion_type=dot,eltwise,reduce (XLA then runs
// the matrix products, element-wise ops and reductions through YNNPACK's
// kernels, as JAX does by default), unless the user's XLA_FLAGS already sets
// it, and glibc's malloc keeps freed memory (keepFreedMemory). Only for that
// plugin: an older plugin may not know the flag, and XLA aborts on unknown
// flags. docs/performance.md measures both.
func tuneProjectPlugin() {
	if v := os.Getenv(tuneEnv); v == "0" || v == "false" {
		return
	}
	if flags := os.Getenv("XLA_FLAGS"); !strings.Contains(flags, ynnFlag) {
		os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" "+ynnFlag+"=dot,eltwise,reduce"))
	}
	keepFreedMemory()
}

// xlaReason says in a few words why XLA did not start.
func xlaReason(err error) string {
	if pluginMissing(err) {
		return "its CPU plugin is not installed and could not be downloaded from GitHub"
	}
	return gomlxMessage(err.Error())
}

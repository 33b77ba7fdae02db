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
// Starting the project's plugin (case 2, .xla/ only) applies three settings,
// measured by `make bench` (docs/performance.md): "ynn", $XLA_FLAGS gains
// --xla_cpu_experimental_ynn_fusion_type=dot,eltwise,reduce unless it
// already sets that flag; "malloc", glibc's malloc keeps freed memory for
// reuse (mallopt); "devices", the plugin runs one CPU device instead of its
// default 4. The first two change the whole process. A fourth, "loop", holds
// on any XLA backend: training runs several steps per call of the compiled
// step (Train). $AELIB_TUNE chooses them: unset for this kind of CPU's
// defaults (all four, but "ynn" only on CPUs other than Intel's with
// AVX-512; Versions says which), "1" for all, "0" for none, or a
// comma-separated list such as "malloc,devices,loop". Nothing else in aelib
// changes the process's state.
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
		t, err := tuningFrom(os.Getenv(tuneEnv))
		if err != nil {
			return nil, "", "", err
		}
		where = "CPU plugin in " + pluginDir + "/, from `make xla`"
		xb, xerr = newProjectXLA(p, t)
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
// with the settings t (see Backend).
func newProjectXLA(path string, t tuning) (compute.Backend, error) {
	t.apply()
	opts := pjrt.NamedValuesMap{}
	if t.devices {
		// The plugin's default is 4 CPU devices; one means fewer thread
		// hand-offs per step.
		opts["cpu_device_count"] = int64(1)
	}
	return startBackend(func() (compute.Backend, error) { return xla.NewWithOptions(path, opts) })
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

// ynnFlag is the XLA CPU option the "ynn" setting adds to $XLA_FLAGS.
const ynnFlag = "--xla_cpu_experimental_ynn_fusion_type"

// tuneEnv names the environment variable that chooses the settings applied
// to the project's plugin (see Backend).
const tuneEnv = "AELIB_TUNE"

// tuning is which of the settings Backend describes are applied to the
// plugin `make xla` installs. Only to that plugin: an older plugin may not
// know the YNNPACK flag, and XLA aborts on unknown flags.
type tuning struct {
	ynn     bool // XLA runs matrix products, element-wise ops and reductions through YNNPACK's kernels, as JAX does
	malloc  bool // glibc's malloc keeps freed memory (keepFreedMemory)
	devices bool // one CPU device instead of the plugin's 4
	loop    bool // stepsPerCall training steps per call of the compiled step, on any XLA plugin (steploop.go)
}

// tuningFrom reads $AELIB_TUNE's value v: "" for this CPU's defaults
// (defaultTuning), "1" for every setting, "0" for none, or a comma-separated
// list of "ynn", "malloc", "devices" and "loop".
func tuningFrom(v string) (tuning, error) {
	switch strings.TrimSpace(v) {
	case "":
		return defaultTuning(cpuKind()), nil
	case "1", "true":
		return tuning{ynn: true, malloc: true, devices: true, loop: true}, nil
	case "0", "false":
		return tuning{}, nil
	}
	var t tuning
	for _, f := range strings.Split(v, ",") {
		switch strings.TrimSpace(f) {
		case "ynn":
			t.ynn = true
		case "malloc":
			t.malloc = true
		case "devices":
			t.devices = true
		case "loop":
			t.loop = true
		default:
			return tuning{}, errorf(ErrInvalid, "%s=%q invalid: use 1 (all settings), 0 (none) or a comma-separated list of ynn, malloc, devices and loop", tuneEnv, v)
		}
	}
	return t, nil
}

// apply makes the process-wide changes of t: $XLA_FLAGS gains the YNNPACK
// flag unless the user's $XLA_FLAGS already sets it, and malloc keeps freed
// memory. Call it before the plugin starts.
func (t tuning) apply() {
	if flags := os.Getenv("XLA_FLAGS"); t.ynn && !strings.Contains(flags, ynnFlag) {
		os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" "+ynnFlag+"=dot,eltwise,reduce"))
	}
	if t.malloc {
		keepFreedMemory()
	}
}

// xlaReason says in a few words why XLA did not start.
func xlaReason(err error) string {
	if pluginMissing(err) {
		return "its CPU plugin is not installed and could not be downloaded from GitHub"
	}
	return gomlxMessage(err.Error())
}

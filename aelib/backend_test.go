package aelib

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestNewBackend(t *testing.T) {
	tests := []struct {
		env      string
		wantName string
		wantErr  string
	}{
		{"go", "go", ""},
		{"tpu9000", "", "names no backend"},
		{"xla:/nonexistent/plugin.so", "", "xla:/nonexistent"},
	}
	for _, tc := range tests {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv("GOMLX_BACKEND", tc.env)
			b, name, line, err := newBackend()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v; want one line mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b == nil || name != tc.wantName || !strings.HasPrefix(line, "Backend: "+tc.wantName) {
				t.Fatalf("backend %q, line %q", name, line)
			}
		})
	}
}

// TestBackendFallback checks the default choice: XLA when its plugin loads,
// else the Go backend with a line saying why and how to get XLA.
func TestBackendFallback(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	b, name, line, err := newBackend()
	if err != nil || b == nil {
		t.Fatal(err)
	}
	switch name {
	case "xla":
		if !strings.HasPrefix(line, "Backend: xla") {
			t.Errorf("line %q", line)
		}
	case "go":
		if !strings.Contains(line, "XLA is unavailable") || !strings.Contains(line, "make xla") {
			t.Errorf("fallback line %q does not say why and what to do", line)
		}
	default:
		t.Errorf("unexpected backend %q", name)
	}
	t.Log(line)
}

// TestBackendFallsBackToGo starts the backend in a project whose XLA plugin
// cannot load: the Go backend is used, and its line gives the loader's
// reason and what to do. No network: TestMain turns GoMLX's download off.
func TestBackendFallsBackToGo(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":                                "module " + modulePath + "\n",
		pluginDir + "/pjrt_c_api_cpu_plugin.so": "not a shared library",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	t.Setenv("GONB_DIR", "")
	t.Setenv("GOMLX_BACKEND", "")
	t.Setenv(tuneEnv, "0") // leave XLA_FLAGS and malloc alone
	b, name, line, err := newBackend()
	if err != nil || b == nil || name != "go" {
		t.Fatalf("backend %q, err %v; want the Go backend", name, err)
	}
	for _, want := range []string{"Backend: go (pure Go; XLA is unavailable: ", "pjrt_c_api_cpu_plugin.so", "make xla"} {
		if !strings.Contains(line, want) {
			t.Errorf("fallback line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "\n") {
		t.Errorf("fallback line %q has several lines", line)
	}
}

func TestProjectRoot(t *testing.T) {
	root, err := projectRoot()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	t.Setenv("GONB_DIR", root+"/notebooks")
	if r, err := projectRoot(); err != nil || r != root {
		t.Errorf("from GONB_DIR: %q, %v; want %q", r, err, root)
	}
	t.Setenv("GONB_DIR", "")
	if _, err := projectRoot(); err == nil {
		t.Error("no error outside the project")
	}
}

func TestTuning(t *testing.T) {
	all := tuning{ynn: true, malloc: true, devices: true, loop: true}
	for _, tc := range []struct {
		env  string
		want tuning
		ok   bool
	}{
		{"", defaultTuning(cpuKind()), true},
		{"1", all, true},
		{"0", tuning{}, true},
		{"false", tuning{}, true},
		{"ynn", tuning{ynn: true}, true},
		{"malloc, devices", tuning{malloc: true, devices: true}, true},
		{"loop", tuning{loop: true}, true},
		{"ynn,avx", tuning{}, false},
		{"yes", tuning{}, false},
	} {
		got, err := tuningFrom(tc.env)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("tuningFrom(%q) = %+v, %v; want %+v, ok %v", tc.env, got, err, tc.want, tc.ok)
		}
		if err != nil && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), strconv.Quote(tc.env))) {
			t.Errorf("tuningFrom(%q): error %q must be ErrInvalid and name the value", tc.env, err)
		}
	}
	for _, tc := range []struct {
		before, after string
		t             tuning
	}{
		{"", ynnFlag + "=dot,eltwise,reduce", tuning{ynn: true}},
		{"--xla_dump_to=/tmp/x", "--xla_dump_to=/tmp/x " + ynnFlag + "=dot,eltwise,reduce", tuning{ynn: true}},
		{ynnFlag + "=dot", ynnFlag + "=dot", tuning{ynn: true}}, // the user's choice wins
		{"--xla_dump_to=/tmp/x", "--xla_dump_to=/tmp/x", tuning{devices: true}},
	} {
		t.Setenv("XLA_FLAGS", tc.before)
		tc.t.apply()
		if got := os.Getenv("XLA_FLAGS"); got != tc.after {
			t.Errorf("%+v: XLA_FLAGS %q → %q, want %q", tc.t, tc.before, got, tc.after)
		}
	}
}

func TestCPUKind(t *testing.T) {
	for _, tc := range []struct {
		vendor, flags, want string
		ynn                 bool
	}{
		{"GenuineIntel", "fpu avx2 fma avx512f avx512_vnni", "Intel with AVX-512", false},
		{"AuthenticAMD", "fpu avx2 fma avx512f avx512_bf16", "AMD with AVX-512", true},
		{"AuthenticAMD", "fpu avx2 fma", "AMD with AVX2", true},
		{"GenuineIntel", "fpu sse4_2", "Intel without AVX2", true},
		{"", "avx512f", "other", true},
	} {
		got := cpuKindFrom(tc.vendor, strings.Fields(tc.flags))
		d := defaultTuning(got)
		if got != tc.want || d.ynn != tc.ynn || !d.malloc || !d.devices || !d.loop {
			t.Errorf("%s %q: kind %q, defaults %s; want %q, ynn %v", tc.vendor, tc.flags, got, d, tc.want, tc.ynn)
		}
	}
	if k := cpuKind(); k == "" {
		t.Error("cpuKind is empty")
	}
	for _, tc := range []struct {
		t    tuning
		want string
	}{
		{tuning{}, "none"}, {tuning{ynn: true, loop: true}, "ynn, loop"},
	} {
		if got := tc.t.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.t, got, tc.want)
		}
	}
}

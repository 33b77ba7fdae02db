package aelib

import (
	"fmt"
	"os"
	"path/filepath"
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

// TestBackendWithoutPlugin checks the choice outside the project, where no
// plugin from `make xla` is found: offline, XLA's download fails and the Go
// backend is used, with the reason; online, XLA may download its plugin.
func TestBackendWithoutPlugin(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "")
	t.Setenv("GONB_DIR", "")
	t.Chdir(t.TempDir())
	if p := projectPlugin(); p != "" {
		t.Fatalf("projectPlugin() = %q outside the project", p)
	}
	_, name, line, err := newBackend()
	if err != nil {
		t.Fatal(err)
	}
	if name == "go" && !strings.Contains(line, "could not be downloaded from GitHub") && !strings.Contains(line, "XLA is unavailable") {
		t.Errorf("fallback line %q does not say why", line)
	}
	t.Log(line)
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

func TestTuneProjectPlugin(t *testing.T) {
	for _, tc := range []struct{ before, after string }{
		{"", ynnFlag + "=dot,eltwise,reduce"},
		{"--xla_dump_to=/tmp/x", "--xla_dump_to=/tmp/x " + ynnFlag + "=dot,eltwise,reduce"},
		{ynnFlag + "=dot", ynnFlag + "=dot"}, // the user's choice wins
	} {
		t.Setenv("XLA_FLAGS", tc.before)
		tuneProjectPlugin()
		if got := os.Getenv("XLA_FLAGS"); got != tc.after {
			t.Errorf("XLA_FLAGS %q → %q, want %q", tc.before, got, tc.after)
		}
	}
}

func TestRemoveStaleMarkers(t *testing.T) {
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("needs /proc")
	}
	dir := t.TempDir()
	live := fmt.Sprintf("aelib-backend-%d", os.Getpid()) // this test's process: alive
	for _, name := range []string{live, "aelib-backend-999999999", "aelib-backend-notapid", "aelib-mnist-999999999"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	removeStaleMarkers(dir, "backend")
	for name, want := range map[string]bool{
		live:                      true,  // its process runs
		"aelib-backend-999999999": false, // no such process
		"aelib-backend-notapid":   true,  // not a marker
		"aelib-mnist-999999999":   true,  // another kind of marker
	} {
		_, err := os.Stat(filepath.Join(dir, name))
		if got := err == nil; got != want {
			t.Errorf("%s: present %v, want %v", name, got, want)
		}
	}
}

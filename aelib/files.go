package aelib

import (
	"bytes"
	"os"
	"path/filepath"
)

// writeAtomic writes b to path through a hidden temporary file in the same
// directory and a rename, so a reader sees the old file or the new one, never
// half of one. The file is readable by all (0644), like one os.WriteFile makes.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	err = tmp.Chmod(0o644)      // CreateTemp makes it private
	if err == nil {
		_, err = tmp.Write(b)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// modulePath is the Go module path of this project.
const modulePath = "github.com/aelecture/autoencoder-go"

// projectRoot walks up from the working directory to the go.mod of this
// module. Notebooks run in notebooks/, tests in aelib/: both find it.
func projectRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if d := os.Getenv("GONB_DIR"); d != "" {
		starts = append(starts, d) // the notebook's directory, set by GoNB
	}
	for _, dir := range starts {
		if root, ok := findRoot(dir); ok {
			return root, nil
		}
	}
	return "", errorf(nil, "no go.mod of module %s above the working directory", modulePath)
}

func findRoot(dir string) (string, bool) {
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module "+modulePath)) {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

package aelib

import (
	"bytes"
	"os"
	"path/filepath"
)

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
	return "", errorf("no go.mod of module %s above the working directory", modulePath)
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

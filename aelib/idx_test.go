package aelib

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"strings"
	"testing"
)

// idxBytes builds an IDX file of unsigned bytes with the given sizes.
func idxBytes(dims []uint32, payload []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(payload)
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestReadIDX(t *testing.T) {
	good := idxBytes([]uint32{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	gzGood := gz(good)
	badSum := bytes.Clone(gzGood)
	badSum[len(badSum)-6] ^= 0xff // CRC-32 of the gzip trailer
	tests := []struct {
		name    string
		in      []byte
		dims    []int
		wantErr string
	}{
		{"plain", good, []int{2, 2, 3}, ""},
		{"gzip", gzGood, []int{2, 2, 3}, ""},
		{"labels", idxBytes([]uint32{3}, []byte{7, 1, 9}), []int{3}, ""},
		{"empty", nil, nil, "reading magic"},
		{"wrong magic", append([]byte{0, 0, 0x0d, 3}, good[4:]...), nil, "magic"},
		{"float type", append([]byte{0, 0, 0x0d, 1}, 0, 0, 0, 1, 0, 0, 0, 0), nil, "magic"},
		{"no dims", []byte{0, 0, 8, 0}, nil, "magic"},
		{"short header", good[:6], nil, "dimension 0"},
		{"zero size", idxBytes([]uint32{0}, nil), nil, "size 0"},
		{"huge", idxBytes([]uint32{1 << 20, 1 << 20}, nil), nil, "at most"},
		{"truncated", good[:len(good)-1], nil, "truncated"},
		{"truncated gzip", gzGood[:len(gzGood)/2], nil, ""},
		{"trailing", append(bytes.Clone(good), 0), nil, "longer"},
		{"bad checksum", badSum, nil, "after the payload"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dims, data, err := readIDX(bytes.NewReader(tc.in))
			if tc.dims == nil {
				if err == nil {
					t.Fatalf("readIDX = %v, %d bytes; want an error", dims, len(data))
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %q does not mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slicesEqual(dims, tc.dims) {
				t.Fatalf("dims = %v, want %v", dims, tc.dims)
			}
		})
	}
}

func slicesEqual[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzReadIDX checks that no input makes readIDX panic, and that whatever it
// accepts has a payload of exactly the announced size.
func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes([]uint32{2, 2, 3}, make([]byte, 12)))
	f.Add(gz(idxBytes([]uint32{1, 28, 28}, make([]byte, 784))))
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 2, 5})
	f.Fuzz(func(t *testing.T, in []byte) {
		dims, data, err := readIDX(bytes.NewReader(in))
		if err != nil {
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if n != len(data) {
			t.Fatalf("dims %v announce %d bytes, got %d", dims, n, len(data))
		}
	})
}

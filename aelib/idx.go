package aelib

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// maxIDXBytes bounds the payload an IDX header may announce (MNIST's largest
// file holds 47 MB), so a corrupt header cannot ask for gigabytes.
const maxIDXBytes = 1 << 28

// readIDX parses an IDX file of unsigned bytes, the format MNIST ships in:
// a big-endian magic 0x0000 0x08 <ndim>, ndim big-endian uint32 sizes, then
// the bytes. The reader may be gzip-compressed (detected by its header).
// It returns the sizes and the payload; a wrong magic, a truncated payload or
// trailing bytes are errors.
func readIDX(r io.Reader) (dims []int, data []byte, err error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("idx: gzip header: %w", err)
		}
		defer gz.Close()
		br = bufio.NewReader(gz)
	}
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("idx: reading magic: %w", noEOF(err))
	}
	if magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] == 0 || magic[3] > 4 {
		return nil, nil, fmt.Errorf("idx: magic % x invalid: want 00 00 08 then 1..4 dimensions (unsigned bytes)", magic)
	}
	dims = make([]int, magic[3])
	total := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("idx: reading size of dimension %d: %w", i, noEOF(err))
		}
		if d == 0 || uint64(total)*uint64(d) > maxIDXBytes {
			return nil, nil, fmt.Errorf("idx: dimension %d has size %d: sizes must be ≥ 1 and hold at most %d bytes in all", i, d, maxIDXBytes)
		}
		dims[i] = int(d)
		total *= int(d)
	}
	data = make([]byte, total)
	if n, err := io.ReadFull(br, data); err != nil {
		return nil, nil, fmt.Errorf("idx: truncated: header %v announces %d bytes, found %d: %w", dims, total, n, noEOF(err))
	}
	var extra [1]byte
	switch n, err := io.ReadFull(br, extra[:]); {
	case n > 0:
		return nil, nil, fmt.Errorf("idx: header %v announces %d bytes, but the file is longer", dims, total)
	case !errors.Is(err, io.EOF):
		return nil, nil, fmt.Errorf("idx: after the payload: %w", err) // e.g. a gzip checksum mismatch
	}
	return dims, data, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

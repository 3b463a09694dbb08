package headerstore

// All access to the two flat files of a store lives in this file.
//
// The headers file holds the 80-byte wire serialization of the best-chain
// header at each height, genesis first, so that height h starts at offset
// 80*h; the filter-headers file holds the 32-byte basic filter header of each
// height in the same way. Neither has a file header: chain.db's tip records
// say how many records are valid, and anything after them is left over from
// a write that was never committed (see doc.go, Crash safety).

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Suffixes of the flat files, which live next to chain.db and share its
// name without the ".db": chain.headers and chain.filterheaders.
const (
	headersFileExt       = ".headers"
	filterHeadersFileExt = ".filterheaders"
)

// flatPaths returns the paths of the headers file and the filter-headers
// file that belong to the chain database at dbPath.
func flatPaths(dbPath string) (headers, filterHeaders string) {
	base := strings.TrimSuffix(dbPath, filepath.Ext(dbPath))
	return base + headersFileExt, base + filterHeadersFileExt
}

// flatFile is a file of fixed-size records addressed by height.
type flatFile struct {
	f      *os.File
	path   string
	recLen int64
}

// openFlatFile opens (or, unless readOnly, creates) the flat file at path
// with records of recLen bytes and locks it: exclusively for a writer,
// shared for a reader, waiting up to timeout for another process. chain.db
// is locked the same way by bbolt; the flat files' own lock also covers the
// moment in which chain.db is replaced by its compacted copy.
func openFlatFile(path string, recLen int64, readOnly bool, timeout time.Duration) (*flatFile, error) {
	flag := os.O_RDWR | os.O_CREATE
	if readOnly {
		flag = os.O_RDONLY
	}
	if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
		return nil, notOurs(path, "is not a regular file")
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		busy, err := lockFile(f, !readOnly)
		if err == nil {
			break
		}
		if !busy || time.Now().After(deadline) {
			_ = f.Close()
			if busy {
				return nil, fmt.Errorf("%w: %s (quit the other satchel first)", ErrInUse, path)
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return &flatFile{f: f, path: path, recLen: recLen}, nil
}

// close closes the file, which also releases its lock; closing twice is
// harmless.
func (ff *flatFile) close() error {
	err := ff.f.Close()
	if errors.Is(err, fs.ErrClosed) {
		return nil
	}
	return err
}

// records returns the number of whole records in the file.
func (ff *flatFile) records() (int64, error) {
	info, err := ff.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat %s: %w", ff.path, err)
	}
	return info.Size() / ff.recLen, nil
}

// read fills buf, a whole number of records, from the record at height
// first on. A file that ends early is an error wrapping io.ErrUnexpectedEOF.
func (ff *flatFile) read(buf []byte, first int32) error {
	n, err := ff.f.ReadAt(buf, int64(first)*ff.recLen)
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read %s at height %d: %w", ff.path, first+int32(int64(n)/ff.recLen), err)
}

// write writes buf, a whole number of records, at height first.
func (ff *flatFile) write(buf []byte, first int32) error {
	if _, err := ff.f.WriteAt(buf, int64(first)*ff.recLen); err != nil {
		return fmt.Errorf("write %s: %w", ff.path, err)
	}
	return nil
}

// truncate cuts the file to its first n records.
func (ff *flatFile) truncate(n int64) error {
	if err := ff.f.Truncate(n * ff.recLen); err != nil {
		return fmt.Errorf("truncate %s: %w", ff.path, err)
	}
	return nil
}

// sync flushes what was written to the disk. It runs before chain.db
// commits the records, so that a commit never refers to records that a power
// cut could still lose.
func (ff *flatFile) sync() error {
	if err := ff.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", ff.path, err)
	}
	return nil
}

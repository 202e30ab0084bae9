package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// BlobStore keeps attachment contents by their SHA-256. Storing the same
// bytes twice stores them once.
type BlobStore interface {
	// Put stores r's bytes (at most limit bytes; more is an error) and
	// returns their hex SHA-256 and size.
	Put(ctx context.Context, r io.Reader, limit int64) (sha string, size int64, err error)
	// Open returns the contents stored under sha.
	Open(ctx context.Context, sha string) (io.ReadCloser, error)
}

// ErrTooLarge is returned by Put for contents above the limit.
var ErrTooLarge = errors.New("attachment too large")

// DiskBlobs stores blobs as files under Dir, named by hash
// (Dir/ab/cdef…). Files are written to a temporary name, synced and renamed,
// so a crash never leaves a partial blob under its hash.
type DiskBlobs struct{ Dir string }

func (d DiskBlobs) path(sha string) (string, error) {
	if len(sha) != 64 {
		return "", fmt.Errorf("blob: bad hash")
	}
	if _, err := hex.DecodeString(sha); err != nil {
		return "", fmt.Errorf("blob: bad hash")
	}
	return filepath.Join(d.Dir, sha[:2], sha[2:]), nil
}

// Put implements BlobStore.
func (d DiskBlobs) Put(ctx context.Context, r io.Reader, limit int64) (string, int64, error) {
	if err := os.MkdirAll(d.Dir, 0o750); err != nil {
		return "", 0, err
	}
	tmp, err := os.CreateTemp(d.Dir, "upload-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if err != nil {
		return "", 0, err
	}
	if n > limit {
		return "", 0, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, err
	}
	sha := hex.EncodeToString(h.Sum(nil))
	dst, _ := d.path(sha)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, err
	}
	if err := tmp.Close(); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, err
	}
	return sha, n, nil
}

// Open implements BlobStore.
func (d DiskBlobs) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	p, err := d.path(sha)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
)

// ErrTooLarge and ErrUnreadable are why an uploaded file was not read;
// the error ReadUpload returns wraps one, with the sizes, in Bahasa.
var (
	ErrTooLarge   = errors.New("berkas terlalu besar")
	ErrUnreadable = errors.New("berkas tidak terbaca; pilih ulang berkasnya")
)

// ReadUpload reads one uploaded file of at most max bytes. A larger one is
// refused by its declared size, before its bytes are read; a size the
// header understates is caught while reading.
func ReadUpload(fh *multipart.FileHeader, max int64) ([]byte, error) {
	tooLarge := func(size int64) error {
		return fmt.Errorf("%w (%.1f MB), paling besar %d MB", ErrTooLarge, float64(size)/(1<<20), max>>20)
	}
	if fh.Size > max {
		return nil, tooLarge(fh.Size)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, ErrUnreadable
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	switch {
	case err != nil:
		return nil, ErrUnreadable
	case int64(len(b)) > max:
		return nil, tooLarge(int64(len(b)))
	}
	return b, nil
}

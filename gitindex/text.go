package gitindex

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"sync"
)

// sourceText is a manifest file's text, compressed. LineOf reads it back on the
// rare denial path; kept plain, the text would take about as much memory as the
// objects decoded from it.
type sourceText struct {
	z []byte
}

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

func compressText(data []byte) *sourceText {
	var buf bytes.Buffer
	buf.Grow(len(data)/8 + 64)
	w := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(w)
	w.Reset(&buf)
	_, _ = w.Write(data) // writing to a bytes.Buffer does not fail
	_ = w.Close()
	return &sourceText{z: bytes.Clone(buf.Bytes())}
}

// flateReaders are reused: a new reader allocates its 32 KiB window.
var flateReaders sync.Pool

// slice returns the text's bytes [start, end).
func (t *sourceText) slice(start, end int) ([]byte, error) {
	var r io.ReadCloser
	if pooled, ok := flateReaders.Get().(io.ReadCloser); ok {
		if err := pooled.(flate.Resetter).Reset(bytes.NewReader(t.z), nil); err == nil {
			r = pooled
		}
	}
	if r == nil {
		r = flate.NewReader(bytes.NewReader(t.z))
	}
	defer flateReaders.Put(r)
	buf := make([]byte, end)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("read source text: %w", err)
	}
	return buf[start:], nil
}

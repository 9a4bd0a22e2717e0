package rest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"

	"github.com/shopimg/shopimg"
)

// Multipart is a multipart/form-data body: plain fields, then at most one
// file, streamed from its source on every attempt, never held in memory.
type Multipart struct {
	// Fields are written first, in order.
	Fields []Field
	// FileField is the form field name of File (e.g. "image_file").
	FileField string
	// File is the upload; nil for a form without a file.
	File *shopimg.File
}

// Field is one plain form field.
type Field struct {
	// Name is the form field's name.
	Name string
	// Value is its value, sent as text.
	Value string
}

// body returns a GetBody func streaming the form through a pipe, the exact
// Content-Length when the file's size is known (-1 otherwise), and the
// Content-Type with a boundary fixed for every attempt.
func (m *Multipart) body() (func() (io.ReadCloser, error), int64, string, error) {
	if m.File != nil && (m.File.Open == nil || m.FileField == "") {
		return nil, 0, "", errors.New("multipart file without Open func or field name")
	}
	var rnd [16]byte
	_, _ = rand.Read(rnd[:])
	boundary := "shopimg-" + hex.EncodeToString(rnd[:])

	// The form without the file's bytes, to compute the length.
	var skeleton bytes.Buffer
	if err := m.write(&skeleton, boundary, nil); err != nil {
		return nil, 0, "", err
	}
	length := int64(-1)
	if m.File == nil {
		length = int64(skeleton.Len())
	} else if m.File.Size >= 0 {
		length = int64(skeleton.Len()) + m.File.Size
	}
	getBody := func() (io.ReadCloser, error) {
		if m.File == nil {
			return io.NopCloser(bytes.NewReader(skeleton.Bytes())), nil
		}
		src, err := m.File.Open()
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", m.File.Name, err)
		}
		pr, pw := io.Pipe()
		go func() {
			defer src.Close()
			pw.CloseWithError(m.write(pw, boundary, src))
		}()
		return pr, nil
	}
	return getBody, length, "multipart/form-data; boundary=" + boundary, nil
}

// write writes the form to w; src, when not nil, is the file's content.
func (m *Multipart) write(w io.Writer, boundary string, src io.Reader) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	for _, f := range m.Fields {
		if err := mw.WriteField(f.Name, f.Value); err != nil {
			return err
		}
	}
	if m.File != nil {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": m.FileField, "filename": m.File.Name}))
		h.Set("Content-Type", m.File.MediaType())
		part, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if src != nil {
			n, err := io.Copy(part, src)
			if err != nil {
				return err
			}
			if m.File.Size >= 0 && n != m.File.Size {
				return &sizeError{name: m.File.Name, read: n, size: m.File.Size}
			}
		}
	}
	return mw.Close()
}

// sizeError is an upload whose source gave another number of bytes than its
// File.Size: the same happens on every attempt, so it is not retried.
type sizeError struct {
	name       string
	read, size int64
}

func (e *sizeError) Error() string {
	return fmt.Sprintf("file %s: read %d bytes, its Size says %d", e.name, e.read, e.size)
}

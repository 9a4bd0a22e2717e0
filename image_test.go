package shopimg_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
)

func TestNewImageValidate(t *testing.T) {
	t.Parallel()
	file := shopimg.FileFromBytes("a.png", []byte("x"))
	ok := []shopimg.NewImage{
		{SourceURL: "https://cdn.example.com/a.jpg"},
		{SourceURL: "http://cdn.example.com/a.jpg", Position: new(3)},
		{File: file, Main: true},
		{File: file, Main: true, Position: new(0)},
		{SourceURL: "https://cdn.example.com/a.jpg?sig=abc&exp=1", Alt: "Red shoe,\tside view\nsecond line"},
		{SourceURL: "https://cdn.example.com/a.jpg", Alt: "ünïcode ✓"},
	}
	for _, img := range ok {
		if err := img.Validate(); err != nil {
			t.Errorf("%+v: %v", img, err)
		}
	}
	bad := map[string]shopimg.NewImage{
		"no source":          {Alt: "x"},
		"both sources":       {SourceURL: "https://a.test/x.jpg", File: file},
		"relative URL":       {SourceURL: "/x.jpg"},
		"ftp URL":            {SourceURL: "ftp://a.test/x.jpg"},
		"no host":            {SourceURL: "https:///x.jpg"},
		"file without name":  {File: &shopimg.File{Open: file.Open}},
		"file without open":  {File: &shopimg.File{Name: "a.png"}},
		"negative position":  {SourceURL: "https://a.test/x.jpg", Position: new(-1)},
		"main not first":     {SourceURL: "https://a.test/x.jpg", Main: true, Position: new(2)},
		"URL with password":  {SourceURL: "https://user:pass@a.test/x.jpg"},
		"URL with user":      {SourceURL: "https://user@a.test/x.jpg"},
		"URL with space":     {SourceURL: "https://a.test/x y.jpg"},
		"alt with NUL":       {SourceURL: "https://a.test/x.jpg", Alt: "a\x00b"},
		"alt not UTF-8":      {SourceURL: "https://a.test/x.jpg", Alt: "a\xffb"},
		"alt with ESC":       {SourceURL: "https://a.test/x.jpg", Alt: "a\x1bb"},
		"file name with NUL": {File: &shopimg.File{Name: "a\x00.png", Open: file.Open}},
	}
	for name, img := range bad {
		if err := img.Validate(); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
}

func TestImageUpdateValidate(t *testing.T) {
	t.Parallel()
	ok := []shopimg.ImageUpdate{{Alt: new("")}, {Position: new(0)}, {Main: new(true)}, {Main: new(true), Position: new(0)}}
	for _, u := range ok {
		if err := u.Validate(); err != nil {
			t.Errorf("%+v: %v", u, err)
		}
	}
	bad := map[string]shopimg.ImageUpdate{
		"empty":          {},
		"negative":       {Position: new(-1)},
		"main false":     {Main: new(false)},
		"main not first": {Main: new(true), Position: new(1)},
		"alt with NUL":   {Alt: new("a\x00")},
		"alt not UTF-8":  {Alt: new("\xc3")},
	}
	for name, u := range bad {
		if err := u.Validate(); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
}

func TestFileFromPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "shoe.JPG")
	if err := os.WriteFile(path, []byte("jpeg-bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := shopimg.FileFromPath(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "shoe.JPG" || f.Size != 10 || f.MediaType() != "image/jpeg" {
		t.Errorf("File = %+v, media type %s", f, f.MediaType())
	}
	for range 2 { // reopenable
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "jpeg-bytes" {
			t.Errorf("read %q", b)
		}
	}
	if _, err := shopimg.FileFromPath(dir); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("a directory: err = %v", err)
	}
	if _, err := shopimg.FileFromPath(filepath.Join(dir, "missing.png")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: err = %v", err)
	}
	if got := (&shopimg.File{Name: "x.unknownext"}).MediaType(); got != "application/octet-stream" {
		t.Errorf("unknown extension media type = %s", got)
	}
	if got := (&shopimg.File{Name: "x.png", ContentType: "image/webp"}).MediaType(); got != "image/webp" {
		t.Errorf("ContentType given: media type = %s, want it", got)
	}
}

func TestFileFromBytesReopens(t *testing.T) {
	t.Parallel()
	f := shopimg.FileFromBytes("a.png", []byte("png"))
	if f.Name != "a.png" || f.Size != 3 || f.MediaType() != "image/png" {
		t.Errorf("File = %+v", f)
	}
	for range 2 {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "png" {
			t.Errorf("read %q, want the whole content on every open", b)
		}
	}
}

func TestAPIError(t *testing.T) {
	t.Parallel()
	e := &shopimg.APIError{
		Platform: "bigcommerce", Method: "POST", Path: "/stores/abc/v3/catalog/products/1/images",
		StatusCode: 422, Message: "Missing Required Fields", Code: "422",
		Details:   []shopimg.FieldError{{Field: "image_url", Message: "must be present"}, {Message: "second"}},
		RequestID: "req-1",
	}
	want := "bigcommerce: POST /stores/abc/v3/catalog/products/1/images: 422 Unprocessable Entity: Missing Required Fields [422] (image_url: must be present; second) (request req-1)"
	if e.Error() != want {
		t.Errorf("Error() = %q\nwant     %q", e.Error(), want)
	}
	if !errors.Is(e, shopimg.ErrInvalidInput) || errors.Is(e, shopimg.ErrNotFound) {
		t.Error("a 422 must match ErrInvalidInput only")
	}
	e.Kind = shopimg.ErrConflict
	if !errors.Is(e, shopimg.ErrConflict) || errors.Is(e, shopimg.ErrInvalidInput) {
		t.Error("Kind must override the status")
	}
	if errors.Is(&shopimg.APIError{StatusCode: 500}, shopimg.ErrNotFound) {
		t.Error("a 500 matches no category")
	}
	wrapped := errors.Join(shopimg.ErrOutcomeUnknown, &shopimg.APIError{StatusCode: 503, RetryAfter: time.Second})
	if !errors.Is(wrapped, shopimg.ErrOutcomeUnknown) {
		t.Error("joined ErrOutcomeUnknown lost")
	}
	u := &shopimg.UnsupportedError{Platform: "threedcart", Operation: "delete image", Reason: "no endpoint"}
	if !errors.Is(u, shopimg.ErrUnsupported) || !strings.Contains(u.Error(), "threedcart: delete image is unsupported: no endpoint") {
		t.Errorf("UnsupportedError = %v", u)
	}
}

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	if err := shopimg.DefaultRetryPolicy().Validate(); err != nil {
		t.Error(err)
	}
	p := shopimg.RetryPolicy{MaxRetries: 2}.WithDefaults()
	if p.MinWait == 0 || p.MaxWait == 0 || p.MaxRetryAfter == 0 || p.MaxRetries != 2 {
		t.Errorf("WithDefaults = %+v", p)
	}
	for _, bad := range []shopimg.RetryPolicy{{MaxRetries: -1}, {MinWait: -1}, {MinWait: 2 * time.Second, MaxWait: time.Second}} {
		if err := bad.Validate(); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%+v: err = %v", bad, err)
		}
	}
}

func TestCapabilitiesHasMain(t *testing.T) {
	t.Parallel()
	if (shopimg.Capabilities{}).HasMain() || !(shopimg.Capabilities{Reorder: true}).HasMain() || !(shopimg.Capabilities{SetMain: true}).HasMain() {
		t.Error("HasMain is wrong")
	}
}

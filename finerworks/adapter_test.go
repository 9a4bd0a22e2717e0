package finerworks_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
)

// requests returns the recorded requests as "METHOD path" lines.
func requests(f *fixture) []string {
	var out []string
	for _, r := range f.srv.Recorder().Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

const (
	list   = "POST " + finerworkstest.ListImagesPath
	add    = "POST " + finerworkstest.AddImagesPath
	update = "PUT " + finerworkstest.UpdateImagesPath
	del    = "DELETE " + finerworkstest.DeleteImagesPath
)

func TestListIsTheCommonModel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seeded := f.srv.AddImages(finerworkstest.Inventory,
		finerworkstest.Image{Title: "Sunset", Description: "Over the bay", FileName: "sunset.jpg", PrivateHiresURI: "https://cdn.example.com/sunset.jpg",
			PublicPreviewURI: "https://cdn.example.com/sunset-preview.jpg", PublicThumbnailURI: "https://cdn.example.com/sunset-thumb.jpg", PixW: 1600, PixH: 2400},
		finerworkstest.Image{Title: "Dawn", FileName: "dawn.jpg", PublicPreviewURI: "https://cdn.example.com/dawn-preview.jpg", DateUpdated: epoch.Add(time.Hour)},
	)
	got, err := f.client.ProductImages().List(ctx, "inventory")
	if err != nil {
		t.Fatal(err)
	}
	want := []shopimg.Image{
		{ID: seeded[0].GUID, ProductID: "inventory", URL: "https://cdn.example.com/sunset.jpg", ThumbnailURL: "https://cdn.example.com/sunset-thumb.jpg",
			Alt: "Sunset", Position: 0, Width: 1600, Height: 2400, UpdatedAt: epoch},
		{ID: seeded[1].GUID, ProductID: "inventory", URL: "https://cdn.example.com/dawn-preview.jpg", ThumbnailURL: "https://cdn.example.com/dawn-preview.jpg",
			Alt: "Dawn", Position: 1, UpdatedAt: epoch.Add(time.Hour)},
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(shopimg.Image{}, "Raw"), cmpopts.EquateApproxTime(0)); d != "" {
		t.Errorf("List (-want +got):\n%s", d)
	}
	raw := got[0].Raw.(finerworks.Image)
	if raw.Description != "Over the bay" || raw.ID != 1001 || raw.FileName != "sunset.jpg" {
		t.Errorf("Raw = %+v", raw)
	}
}

// TestListIsInAddedOrder: whatever the server's default order, the
// adapter lists a library in the order the images were added, one
// list_images request per 50 images (plus one when the last page is full
// and count does not say it is the last).
func TestListIsInAddedOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     []finerworkstest.Option
		n, calls int
	}{
		{"default-desc/120", nil, 120, 3},
		{"count-page/120", []finerworkstest.Option{finerworkstest.WithCount(finerworkstest.CountPage)}, 120, 3},
		{"count-page/100", []finerworkstest.Option{finerworkstest.WithCount(finerworkstest.CountPage)}, 100, 3},
		{"count-total/100", nil, 100, 2},
		{"default-title-asc/7", []finerworkstest.Option{finerworkstest.WithDefaultSort("title", "ASC")}, 7, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.opts...)
			seed := make([]finerworkstest.Image, tc.n)
			for i := range seed {
				seed[i].Title = fmt.Sprintf("%03d", tc.n-i) // titles run backwards
			}
			seeded := f.srv.AddImages(finerworkstest.Inventory, seed...)
			got, err := f.client.ProductImages().List(ctx, "inventory")
			if err != nil {
				t.Fatal(err)
			}
			var want, ids []string
			for _, img := range seeded {
				want = append(want, img.GUID)
			}
			for _, img := range got {
				ids = append(ids, img.ID)
			}
			if !slices.Equal(ids, want) {
				t.Errorf("listed out of added order")
			}
			if n := f.srv.Recorder().Count("POST", finerworkstest.ListImagesPath); n != tc.calls {
				t.Errorf("%d list_images requests, want %d", n, tc.calls)
			}
		})
	}
}

// TestAddFindsTheNewImage: under both readings of the add_images answer,
// Add returns the new image with its GUID and index, having sent the
// source URL as the three URIs, its last path segment as file_name and the
// alt text as title. With the images in the answer it needs no listing
// after the add.
func TestAddFindsTheNewImage(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		answer finerworkstest.AddAnswer
		calls  []string
	}{
		"status-only":    {finerworkstest.AddAnswerStatus, []string{list, add, list}},
		"answers-images": {finerworkstest.AddAnswerImages, []string{list, add}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, finerworkstest.WithAddAnswer(tc.answer))
			f.srv.AddImages(finerworkstest.Inventory, finerworkstest.Image{Title: "old"}, finerworkstest.Image{Title: "old"})
			src := "https://pim.example.com/assets/red%20shoe.jpg?v=2"
			got, err := f.client.ProductImages().Add(ctx, "inventory", shopimg.NewImage{SourceURL: src, Alt: "Red shoe"})
			if err != nil {
				t.Fatal(err)
			}
			stored := f.srv.Images(finerworkstest.Inventory)
			if len(stored) != 3 || got.ID != stored[2].GUID || got.Position != 2 || got.Alt != "Red shoe" || got.URL != src || got.ProductID != "inventory" {
				t.Errorf("Add = %+v; stored %+v", got, stored[len(stored)-1])
			}
			if d := cmp.Diff(tc.calls, requests(f)); d != "" {
				t.Errorf("requests (-want +got):\n%s", d)
			}
			var body struct {
				Images []map[string]any
			}
			for _, r := range f.srv.Recorder().Requests() {
				if r.Path == finerworkstest.AddImagesPath {
					_ = json.Unmarshal(r.Body, &body)
				}
			}
			want := map[string]any{"title": "Red shoe", "file_name": "red shoe.jpg", "private_hires_uri": src, "public_preview_uri": src, "public_thumbnail_uri": src}
			if d := cmp.Diff([]map[string]any{want}, body.Images); d != "" {
				t.Errorf("add_images images (-want +got):\n%s", d)
			}
		})
	}
}

// TestAddPositionInALargeLibrary: in a library of more than a page, the
// new image's index comes from count where it is plainly a total, and
// from a listing otherwise.
func TestAddPositionInALargeLibrary(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		reading finerworkstest.CountReading
		lists   int
	}{
		"count-total": {finerworkstest.CountTotal, 2},
		"count-page":  {finerworkstest.CountPage, 2 + 2},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, finerworkstest.WithCount(tc.reading))
			f.srv.AddImages(finerworkstest.Inventory, make([]finerworkstest.Image, 60)...)
			got, err := f.client.ProductImages().Add(ctx, "inventory", shopimg.NewImage{SourceURL: "https://pim.example.com/a.jpg"})
			if err != nil {
				t.Fatal(err)
			}
			if got.Position != 60 {
				t.Errorf("Position = %d, want 60", got.Position)
			}
			if n := f.srv.Recorder().Count("POST", finerworkstest.ListImagesPath); n != tc.lists {
				t.Errorf("%d list_images requests, want %d", n, tc.lists)
			}
		})
	}
}

// roundTripFunc is an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// clientThrough returns an adapter of f's server whose requests pass
// through hook first (hook returns nil to let a request through).
func clientThrough(t *testing.T, f *fixture, hook func(r *http.Request) (*http.Response, error)) shopimg.ProductImages {
	t.Helper()
	next := f.srv.Client().Transport
	c, err := f.srv.NewClient(finerworks.WithHTTPClient(&http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if resp, err := hook(r); resp != nil || err != nil {
			return resp, err
		}
		return next.RoundTrip(r)
	})}), finerworks.WithRetry(shopimg.RetryPolicy{MaxRetries: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return c.ProductImages()
}

// TestAddedButPositionUnknown: when the add is done and named but the
// listing that would tell its position fails, Add returns the image with
// an error matching ErrAdded (not to be added again).
func TestAddedButPositionUnknown(t *testing.T) {
	t.Parallel()
	f := newFixture(t, finerworkstest.WithCount(finerworkstest.CountPage), finerworkstest.WithAddAnswer(finerworkstest.AddAnswerImages))
	f.srv.AddImages(finerworkstest.Inventory, make([]finerworkstest.Image, 60)...)
	var added atomic.Bool
	p := clientThrough(t, f, func(r *http.Request) (*http.Response, error) {
		switch {
		case r.URL.Path == finerworkstest.AddImagesPath:
			added.Store(true)
		case added.Load():
			return nil, errors.New("network down")
		}
		return nil, nil
	})
	got, err := p.Add(ctx, "inventory", shopimg.NewImage{SourceURL: "https://pim.example.com/a.jpg", Alt: "a"})
	stored := f.srv.Images(finerworkstest.Inventory)
	if !errors.Is(err, shopimg.ErrAdded) || errors.Is(err, shopimg.ErrOutcomeUnknown) || got.ID != stored[60].GUID {
		t.Errorf("Add = %+v, %v; want image %s with ErrAdded", got, err, stored[60].GUID)
	}
}

// TestAddWhileOthersAdd: images others add between the listings of an Add
// are told apart from ours by title and URI; an identical one makes the
// add's image unknown, which is an outcome-unknown error (list first).
func TestAddWhileOthersAdd(t *testing.T) {
	t.Parallel()
	src := "https://pim.example.com/a.jpg"
	for name, tc := range map[string]struct {
		other   finerworkstest.Image
		unknown bool
	}{
		"another image":  {finerworkstest.Image{Title: "theirs", PrivateHiresURI: "https://elsewhere.example.com/b.jpg", FileName: "b.jpg"}, false},
		"same file name": {finerworkstest.Image{Title: "theirs", PrivateHiresURI: "https://elsewhere.example.com/a.jpg", FileName: "a.jpg"}, false},
		"identical":      {finerworkstest.Image{Title: "ours", PrivateHiresURI: src, FileName: "a.jpg"}, true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			p := clientThrough(t, f, func(r *http.Request) (*http.Response, error) {
				if r.URL.Path == finerworkstest.AddImagesPath {
					f.srv.AddImages(finerworkstest.Inventory, tc.other)
				}
				return nil, nil
			})
			got, err := p.Add(ctx, "inventory", shopimg.NewImage{SourceURL: src, Alt: "ours"})
			stored := f.srv.Images(finerworkstest.Inventory)
			if tc.unknown {
				if !errors.Is(err, shopimg.ErrOutcomeUnknown) || got.ID != "" {
					t.Errorf("Add = %+v, %v; want ErrOutcomeUnknown", got, err)
				}
				return
			}
			if err != nil || got.ID != stored[1].GUID {
				t.Errorf("Add = %+v, %v; want %s", got, err, stored[1].GUID)
			}
		})
	}
}

// TestAddOutcomeUnknown: an add_images call whose answer is lost, and an
// add whose new image cannot be looked up afterwards, fail with an error
// matching ErrOutcomeUnknown; the image exists.
func TestAddOutcomeUnknown(t *testing.T) {
	t.Parallel()
	t.Run("not listed yet while another image is", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		p := clientThrough(t, f, func(r *http.Request) (*http.Response, error) {
			if r.URL.Path != finerworkstest.AddImagesPath {
				return nil, nil
			}
			// The API took the add but lists the image only later, and
			// someone else's image appears meanwhile.
			f.srv.AddImages(finerworkstest.Inventory, finerworkstest.Image{Title: "theirs", FileName: "b.jpg"})
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
				Body: io.NopCloser(strings.NewReader(okStatus))}, nil
		})
		got, err := p.Add(ctx, "inventory", shopimg.NewImage{SourceURL: "https://pim.example.com/a.jpg", Alt: "ours"})
		if !errors.Is(err, shopimg.ErrOutcomeUnknown) || got.ID != "" {
			t.Errorf("Add = %+v, %v; want ErrOutcomeUnknown, not their image", got, err)
		}
	})
	t.Run("answer lost", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.srv.Faults().Add(finerworkstest.Fault{Method: http.MethodPost, Path: finerworkstest.AddImagesPath, AfterApply: true, Drop: true})
		_, err := f.client.ProductImages().Add(ctx, "inventory", shopimg.NewImage{SourceURL: "https://pim.example.com/a.jpg"})
		if !errors.Is(err, shopimg.ErrOutcomeUnknown) || len(f.srv.Images(finerworkstest.Inventory)) != 1 {
			t.Errorf("err = %v with %d images stored", err, len(f.srv.Images(finerworkstest.Inventory)))
		}
	})
	t.Run("lookup fails", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		var added atomic.Bool
		p := clientThrough(t, f, func(r *http.Request) (*http.Response, error) {
			switch {
			case r.URL.Path == finerworkstest.AddImagesPath:
				added.Store(true)
			case added.Load():
				return nil, errors.New("network down")
			}
			return nil, nil
		})
		_, err := p.Add(ctx, "inventory", shopimg.NewImage{SourceURL: "https://pim.example.com/a.jpg"})
		if !errors.Is(err, shopimg.ErrOutcomeUnknown) || errors.Is(err, shopimg.ErrAdded) || len(f.srv.Images(finerworkstest.Inventory)) != 1 {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.srv.Faults().Add(finerworkstest.Fault{Method: http.MethodPost, Path: finerworkstest.AddImagesPath, Status: 200,
			Body: `{"status":{"success":false,"status_code":400,"message":"file_name is required."}}`})
		_, err := f.client.ProductImages().Add(ctx, "inventory", shopimg.NewImage{SourceURL: "https://pim.example.com/a.jpg"})
		if !errors.Is(err, shopimg.ErrInvalidInput) || errors.Is(err, shopimg.ErrOutcomeUnknown) {
			t.Errorf("err = %v, want ErrInvalidInput only", err)
		}
	})
}

// TestUpdateKeepsTheDescription: changing the alt text sends the title
// with the description unchanged, even to a server that clears what a
// request leaves out.
func TestUpdateKeepsTheDescription(t *testing.T) {
	t.Parallel()
	f := newFixture(t, finerworkstest.WithUpdateClearingOmitted())
	seeded := f.srv.AddImages(finerworkstest.Inventory, finerworkstest.Image{Title: "old", Description: "Printed on cotton rag"})
	got, err := f.client.ProductImages().Update(ctx, "inventory", seeded[0].GUID, shopimg.ImageUpdate{Alt: new("new")})
	if err != nil {
		t.Fatal(err)
	}
	img := f.srv.Images(finerworkstest.Inventory)[0]
	if got.Alt != "new" || img.Title != "new" || img.Description != "Printed on cotton rag" {
		t.Errorf("Update = %+v; stored %+v", got, img)
	}
	if d := cmp.Diff([]string{list, update}, requests(f)); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}

// TestBatchUpdatesAreCallsOfFive: UpdateImages sends the changed titles in
// update_images calls of at most five, Capabilities().Calls(n) of them.
func TestBatchUpdatesAreCallsOfFive(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 5, 6, 12} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, finerworkstest.WithMaxUpdateImages(5))
			seeded := f.srv.AddImages(finerworkstest.Inventory, make([]finerworkstest.Image, 14)...)
			alts := map[string]string{}
			for i := range n {
				alts[seeded[i].GUID] = fmt.Sprint("alt ", i)
			}
			alts[seeded[13].GUID] = "" // unchanged
			p := f.client.ProductImages()
			got, err := p.(shopimg.BatchUpdater).UpdateImages(ctx, "inventory", shopimg.BatchUpdate{Alt: alts})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 14 || (n > 0 && got[0].Alt != "alt 0") {
				t.Errorf("UpdateImages returned %d images", len(got))
			}
			if sent, want := f.srv.Recorder().Count("PUT", finerworkstest.UpdateImagesPath), p.Capabilities().Calls(n); sent != want {
				t.Errorf("%d update_images calls, want %d", sent, want)
			}
		})
	}
}

// TestDeleteChecksTheLibrary: an image that is not in the library (deleted,
// never there, or in the other library) is ErrNotFound without a
// delete_images call, whatever the server does with unknown GUIDs.
func TestDeleteChecksTheLibrary(t *testing.T) {
	t.Parallel()
	for name, reading := range map[string]finerworkstest.UnknownGUID{"fails": finerworkstest.UnknownGUIDFails, "ignored": finerworkstest.UnknownGUIDIgnored} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, finerworkstest.WithUnknownGUID(reading))
			inv := f.srv.AddImages(finerworkstest.Inventory, finerworkstest.Image{Title: "a"})
			tmp := f.srv.AddImages(finerworkstest.Temporary, finerworkstest.Image{Title: "b"})
			p := f.client.ProductImages()
			if err := p.Delete(ctx, "inventory", inv[0].GUID); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct{ lib, id string }{{"inventory", inv[0].GUID}, {"inventory", tmp[0].GUID}, {"temporary", "00000000-0000-4000-8000-000000000001"}} {
				if err := p.Delete(ctx, tc.lib, tc.id); !errors.Is(err, shopimg.ErrNotFound) {
					t.Errorf("Delete(%s, %s) = %v, want ErrNotFound", tc.lib, tc.id, err)
				}
			}
			if d := f.srv.Recorder().Count("DELETE", ""); d != 1 {
				t.Errorf("%d delete_images calls, want 1", d)
			}
			if len(f.srv.Images(finerworkstest.Temporary)) != 1 {
				t.Error("the temporary library's image is gone")
			}
		})
	}
}

// TestWhatALibraryCannotDo: order, main image and file uploads are refused
// as unsupported, and malformed library names and GUIDs as invalid input,
// before any request.
func TestWhatALibraryCannotDo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seeded := f.srv.AddImages(finerworkstest.Inventory, finerworkstest.Image{Title: "a"}, finerworkstest.Image{Title: "b"})
	a, b := seeded[0].GUID, seeded[1].GUID
	p := f.client.ProductImages()
	unsupported := map[string]error{
		"Reorder":             p.Reorder(ctx, "inventory", []string{b, a}),
		"Update(Position)":    second(p.Update(ctx, "inventory", b, shopimg.ImageUpdate{Position: new(0)})),
		"Update(Main)":        second(p.Update(ctx, "inventory", b, shopimg.ImageUpdate{Main: new(true)})),
		"Add(Main)":           second(p.Add(ctx, "inventory", shopimg.NewImage{SourceURL: "https://x.example.com/a.jpg", Main: true})),
		"Add(File)":           second(p.Add(ctx, "inventory", shopimg.NewImage{File: shopimg.FileFromBytes("a.jpg", []byte("x"))})),
		"UpdateImages(Order)": second(p.(shopimg.BatchUpdater).UpdateImages(ctx, "inventory", shopimg.BatchUpdate{Order: []string{b, a}})),
	}
	for name, err := range unsupported {
		if !errors.Is(err, shopimg.ErrUnsupported) || !strings.Contains(err.Error(), "finerworks") {
			t.Errorf("%s: err = %v, want ErrUnsupported", name, err)
		}
	}
	invalid := map[string]error{
		"List(gallery)":       second(p.List(ctx, "gallery")),
		"List(Inventory)":     second(p.List(ctx, "Inventory")),
		"Add(Temporary)":      second(p.Add(ctx, "Temporary", shopimg.NewImage{SourceURL: "https://x.example.com/a.jpg"})),
		"Update(1234)":        second(p.Update(ctx, "inventory", "1234", shopimg.ImageUpdate{Alt: new("x")})),
		"Delete(guid braces)": p.Delete(ctx, "inventory", "{"+a+"}"),
		"Delete(short guid)":  p.Delete(ctx, "inventory", a[:35]),
	}
	for name, err := range invalid {
		if !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if n := f.srv.Recorder().Count("", ""); n != 0 {
		t.Errorf("%d requests sent: %v", n, requests(f))
	}
	if imgs, _ := p.List(ctx, "inventory"); len(imgs) != 2 || imgs[0].Main || imgs[1].Main {
		t.Errorf("after the refusals: %+v", imgs)
	}
}

// TestLibrariesAreProducts: the two libraries are separate products.
func TestLibrariesAreProducts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.client.ProductImages()
	if _, err := p.Add(ctx, "temporary", shopimg.NewImage{SourceURL: "https://x.example.com/t.jpg", Alt: "t"}); err != nil {
		t.Fatal(err)
	}
	inv, err1 := p.List(ctx, "inventory")
	tmp, err2 := p.List(ctx, "temporary")
	if err := errors.Join(err1, err2); err != nil || len(inv) != 0 || len(tmp) != 1 || tmp[0].ProductID != "temporary" {
		t.Errorf("inventory %v, temporary %v, %v", inv, tmp, err)
	}
	if raw := tmp[0].Raw.(finerworks.Image); raw.DateExpires.IsZero() {
		t.Error("a temporary image has no date_expires")
	}
}

func second[T any](_ T, err error) error { return err }

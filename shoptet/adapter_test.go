package shoptet_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shoptet"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// beforeTransport runs fn before each request it sends to next.
type beforeTransport struct {
	next http.RoundTripper
	fn   func(r *http.Request)
}

func (b beforeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	b.fn(r)
	return b.next.RoundTrip(r)
}

// hooked returns a client of f's server whose requests run fn first.
func hooked(t *testing.T, f *fixture, fn func(r *http.Request)) shopimg.ProductImages {
	t.Helper()
	c, err := f.srv.NewClient(shoptet.WithHTTPClient(&http.Client{Transport: beforeTransport{f.srv.Client().Transport, fn}}))
	if err != nil {
		t.Fatal(err)
	}
	return c.ProductImages()
}

func names(imgs []shopimg.Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.ID
	}
	return out
}

// TestAddCannotTellItsImageApart: someone else adds an image just like
// ours while our job runs; the job completes, but which new image is ours
// is unknown, and Add says so instead of guessing.
func TestAddCannotTellItsImageApart(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	pid := f.srv.AddProduct()
	once := false
	p := hooked(t, f, func(r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/system/jobs/") && !once {
			once = true
			if _, err := f.srv.Insert(pid, "shop", shoptettest.Image{Priority: new(1024), Description: new("A")}); err != nil {
				t.Error(err)
			}
		}
	})
	_, err := p.Add(ctx, pid, shopimg.NewImage{SourceURL: "https://img.example.com/a.jpg", Alt: "A"})
	if !errors.Is(err, shopimg.ErrOutcomeUnknown) || errors.Is(err, shopimg.ErrAdded) {
		t.Errorf("err = %v, want ErrOutcomeUnknown", err)
	}
	// With another description the new image is told apart.
	once = false
	other := hooked(t, f, func(r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/system/jobs/") && !once {
			once = true
			_, _ = f.srv.Insert(pid, "shop", shoptettest.Image{Description: new("someone else's")})
		}
	})
	img, err := other.Add(ctx, pid, shopimg.NewImage{SourceURL: "https://img.example.com/b.jpg", Alt: "B"})
	if err != nil || img.Alt != "B" {
		t.Errorf("Add beside another add = %+v, %v", img, err)
	}
}

// TestAddJobFails: Shoptet cannot download the source; Add gives a
// *JobError matching ErrInvalidInput and the gallery is unchanged.
func TestAddJobFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []shoptettest.Option{shoptettest.WithFailingSources(func(u string) bool { return strings.Contains(u, "broken") })})
	pid := f.srv.AddProduct()
	_, err := f.client.ProductImages().Add(ctx, pid, shopimg.NewImage{SourceURL: "https://img.example.com/broken.jpg"})
	var je *shoptet.JobError
	if !errors.As(err, &je) || !errors.Is(err, shopimg.ErrInvalidInput) || errors.Is(err, shopimg.ErrOutcomeUnknown) {
		t.Errorf("err = %v, want a *JobError matching ErrInvalidInput", err)
	}
	if je != nil && !strings.Contains(je.Job.Log, "broken.jpg") {
		t.Errorf("job log = %q", je.Job.Log)
	}
	if imgs, _ := f.srv.Images(pid, "shop"); len(imgs) != 0 {
		t.Errorf("gallery = %v, want empty", imgs)
	}
}

// TestAddWithoutWebhook: without the job:finished webhook the add is
// refused with an error that says so, and nothing is queued.
func TestAddWithoutWebhook(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []shoptettest.Option{shoptettest.WithoutWebhook()})
	pid := f.srv.AddProduct()
	_, err := f.client.ProductImages().Add(ctx, pid, shopimg.NewImage{SourceURL: "https://img.example.com/a.jpg"})
	if !shoptet.IsWebhookNotRegistered(err) || !errors.Is(err, shopimg.ErrUnauthorized) || !strings.Contains(err.Error(), "job:finished webhook") || errors.Is(err, shopimg.ErrOutcomeUnknown) {
		t.Errorf("err = %v, want the webhook explained", err)
	}
	f.srv.SetWebhook(true)
	if _, err := f.client.ProductImages().Add(ctx, pid, shopimg.NewImage{SourceURL: "https://img.example.com/a.jpg"}); err != nil {
		t.Errorf("after registering: %v", err)
	}
}

// TestAddWithoutRoomIsMovedByOnePatch: priorities 1, 2, 3 leave no room
// before the second image; the add goes after the last, then one PATCH
// puts it in place.
func TestAddWithoutRoomIsMovedByOnePatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	pid := f.srv.AddProduct(shoptettest.Image{Name: "a.jpg", Priority: new(1)}, shoptettest.Image{Name: "b.jpg", Priority: new(2)}, shoptettest.Image{Name: "c.jpg", Priority: new(3)})
	p := f.client.ProductImages()
	img, err := p.Add(ctx, pid, shopimg.NewImage{SourceURL: "https://img.example.com/n.jpg", Position: new(1)})
	if err != nil || img.Position != 1 {
		t.Fatalf("Add = %+v, %v", img, err)
	}
	list, _ := p.List(ctx, pid)
	if d := cmp.Diff([]string{"a.jpg", img.ID, "b.jpg", "c.jpg"}, names(list)); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
	if n, m := f.srv.Recorder().Count(http.MethodPost, ""), f.srv.Recorder().Count(http.MethodPatch, ""); n != 1 || m != 1 {
		t.Errorf("%d POST and %d PATCH, want 1 and 1", n, m)
	}
}

// TestReorderWritesOnlyTheMovedImages: in a gallery of 150 spaced
// priorities, moving one image is one PATCH of one row; reversing it
// renumbers every image in two PATCHes of 100 and 50 rows.
func TestReorderWritesOnlyTheMovedImages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	imgs := make([]shoptettest.Image, 150)
	for i := range imgs {
		imgs[i] = shoptettest.Image{Name: fmt.Sprintf("%03d.jpg", i), Priority: new(100 * (i + 1))}
	}
	pid := f.srv.AddProduct(imgs...)
	p := f.client.ProductImages()
	list, _ := p.List(ctx, pid)
	order := names(list)
	moved := append([]string{order[149]}, order[:149]...)
	if err := p.Reorder(ctx, pid, moved); err != nil {
		t.Fatal(err)
	}
	reqs := f.srv.Recorder().Requests()
	last := reqs[len(reqs)-1]
	if last.Method != http.MethodPatch || strings.Count(string(last.Body), `"name"`) != 1 {
		t.Errorf("last request %s with body %s, want one PATCH of one row", last.Method, last.Body)
	}
	after, _ := p.List(ctx, pid)
	if d := cmp.Diff(moved, names(after)); d != "" || !after[0].Main {
		t.Errorf("order (-want +got):\n%s (main %v)", d, after[0].Main)
	}
	reversed := make([]string, len(moved))
	for i, id := range moved {
		reversed[len(moved)-1-i] = id
	}
	before := f.srv.Recorder().Count(http.MethodPatch, "")
	if err := p.Reorder(ctx, pid, reversed); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Recorder().Count(http.MethodPatch, "") - before; n != 2 {
		t.Errorf("reverse took %d PATCHes, want 2", n)
	}
	after, _ = p.List(ctx, pid)
	if d := cmp.Diff(reversed, names(after)); d != "" {
		t.Errorf("reversed order (-want +got):\n%s", d)
	}
}

// TestNullAndTiedPrioritiesAreRenumbered: a gallery whose images have no
// priority, or the same one, is put in order by renumbering, under every
// reading of where null priorities stand and which image is main.
func TestNullAndTiedPrioritiesAreRenumbered(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]shoptettest.Option{
		"nulls-last": nil, "nulls-first": {shoptettest.WithNulls(shoptettest.NullsFirst)},
		"main-first-added": {shoptettest.WithMainRule(shoptettest.MainFirstAdded)}, "list-added": {shoptettest.WithListOrder(shoptettest.ListAdded)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, opts)
			pid := f.srv.AddProduct(shoptettest.Image{Name: "a.jpg"}, shoptettest.Image{Name: "b.jpg", Priority: new(5)}, shoptettest.Image{Name: "c.jpg", Priority: new(5)}, shoptettest.Image{Name: "d.jpg"})
			p := f.client.ProductImages()
			want := []string{"d.jpg", "c.jpg", "a.jpg", "b.jpg"}
			if err := p.Reorder(ctx, pid, want); err != nil {
				t.Fatal(err)
			}
			list, err := p.List(ctx, pid)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, names(list)); d != "" || !list[0].Main {
				t.Errorf("order (-want +got):\n%s (main %v)", d, list[0].Main)
			}
			state, _ := f.srv.Images(pid, "shop")
			if !state[0].IsMain || state[0].Name != "d.jpg" {
				t.Errorf("server's main image = %+v", state[0])
			}
		})
	}
}

// TestSkippedRowFailsTheWrite: an image deleted between the listing and
// the PATCH is skipped by Shoptet; the adapter's write fails with an error
// saying so (not found, with the skipped row in its details).
func TestSkippedRowFailsTheWrite(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	pid := f.srv.AddProduct(shoptettest.Image{Name: "a.jpg", Priority: new(1)}, shoptettest.Image{Name: "b.jpg", Priority: new(2)})
	p := hooked(t, f, func(r *http.Request) {
		if r.Method == http.MethodPatch {
			_ = f.srv.Remove(pid, "shop", "a.jpg")
		}
	})
	_, err := p.(shopimg.BatchUpdater).UpdateImages(ctx, pid, shopimg.BatchUpdate{Alt: map[string]string{"a.jpg": "x", "b.jpg": "y"}})
	var ae *shoptet.APIError
	if !errors.Is(err, shopimg.ErrNotFound) || !errors.As(err, &ae) || ae.Code != "image-not-found" || len(ae.Details) != 1 || ae.Details[0].Field != "a.jpg" {
		t.Errorf("err = %v, want ErrNotFound from the answer's errors", err)
	}
}

// TestDeleteVariantImage: an image a variant uses is refused with
// ErrConflict, unless the client removes the reference.
func TestDeleteVariantImage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	pid := f.srv.AddProduct(shoptettest.Image{Name: "v.jpg", Priority: new(1), VariantImage: true})
	if err := f.client.ProductImages().Delete(ctx, pid, "v.jpg"); !errors.Is(err, shopimg.ErrConflict) || !strings.Contains(err.Error(), "removeReference") {
		t.Errorf("Delete = %v, want ErrConflict explaining removeReference", err)
	}
	c, err := f.srv.NewClient(shoptet.WithDeleteRemovesReference())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ProductImages().Delete(ctx, pid, "v.jpg"); err != nil {
		t.Errorf("Delete with removeReference = %v", err)
	}
	if err := c.ProductImages().Delete(ctx, pid, "v.jpg"); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("second Delete = %v, want ErrNotFound", err)
	}
}

// TestListBuildsURLsAndMain: the image cuts give each image its URLs;
// the flagged image is first and main; names with dots and spaces are
// escaped in URLs.
func TestListBuildsURLsAndMain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	pid := f.srv.AddProduct(shoptettest.Image{Name: "summer shoes.v2.jpg", Priority: new(2), Description: new("Shoes")}, shoptettest.Image{Name: "1.png", Priority: new(1)})
	list, err := f.client.ProductImages().List(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1.png", "summer shoes.v2.jpg"}, names(list)); d != "" || !list[0].Main || list[1].Main {
		t.Errorf("order (-want +got):\n%s", d)
	}
	want := "https://" + shoptettest.EshopHost + "/user/shop/orig/summer%20shoes.v2.jpg"
	if list[1].URL != want || !strings.HasSuffix(list[1].ThumbnailURL, "/related/summer%20shoes.v2.jpg") || list[1].Alt != "Shoes" || list[1].UpdatedAt.IsZero() {
		t.Errorf("image = %+v", list[1])
	}
	if n := f.srv.Recorder().Count(http.MethodGet, "/api/eshop"); n != 1 {
		t.Errorf("%d e-shop info requests, want 1", n)
	}
	_, _ = f.client.ProductImages().List(ctx, pid)
	if n := f.srv.Recorder().Count(http.MethodGet, "/api/eshop"); n != 1 {
		t.Errorf("%d e-shop info requests after a second List, want 1 (cached)", n)
	}
}

// TestListWithoutRightsToTheImageCuts: a token that may not read the
// e-shop info still lists, without URLs, and asks for the cuts once.
func TestListWithoutRightsToTheImageCuts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.srv.Faults().Add(shoptettest.Fault{Method: http.MethodGet, Path: "/api/eshop", Status: http.StatusForbidden, Times: 10,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   `{"data":null,"errors":[{"errorCode":"invalid-token-no-rights","message":"No rights.","instance":"access-token"}],"metadata":{"requestId":"r"}}`})
	pid := f.srv.AddProduct(shoptettest.Image{Name: "1.jpg", Priority: new(1)})
	for range 2 {
		list, err := f.client.ProductImages().List(ctx, pid)
		if err != nil || len(list) != 1 || list[0].URL != "" {
			t.Fatalf("List = %+v, %v", list, err)
		}
	}
	if n := f.srv.Recorder().Count(http.MethodGet, "/api/eshop"); n != 1 {
		t.Errorf("%d e-shop info requests, want 1", n)
	}
}

package bigcommerce_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

func TestListMapsTheCommonModel(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	// Stored by ID: 1001 (sort 5), 1002 (sort 1, thumbnail), 1003 (sort 1).
	f.srv.AddProduct(7,
		bigcommercetest.Image{SortOrder: 5, Description: "last"},
		bigcommercetest.Image{SortOrder: 1, IsThumbnail: true, Description: "main"},
		bigcommercetest.Image{SortOrder: 1, Description: "tie, higher ID"},
	)
	list, err := f.client.ProductImages().List(ctx, "7")
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := f.srv.Images(7)
	want := []shopimg.Image{
		{ID: "1002", ProductID: "7", Alt: "main", Position: 0, Main: true, URL: stored[1].URLZoom, ThumbnailURL: stored[1].URLThumbnail, UpdatedAt: epoch},
		{ID: "1003", ProductID: "7", Alt: "tie, higher ID", Position: 1, URL: stored[2].URLZoom, ThumbnailURL: stored[2].URLThumbnail, UpdatedAt: epoch},
		{ID: "1001", ProductID: "7", Alt: "last", Position: 2, URL: stored[0].URLZoom, ThumbnailURL: stored[0].URLThumbnail, UpdatedAt: epoch},
	}
	if d := cmp.Diff(want, list, timeEqual, cmpopts.IgnoreFields(shopimg.Image{}, "Raw")); d != "" {
		t.Errorf("List (-want +got):\n%s", d)
	}
}

func TestListPagesThroughAThousandImages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithoutQuota()})
	imgs := make([]bigcommercetest.Image, 1000)
	for i := range imgs {
		imgs[i].SortOrder = 999 - i
	}
	imgs[500].IsThumbnail = true
	f.srv.AddProduct(8, imgs...)
	list, err := f.client.ProductImages().List(ctx, "8")
	if err != nil {
		t.Fatal(err)
	}
	// The store's order is by sort_order; the thumbnail (1501) is not
	// first, so no image is main.
	if len(list) != 1000 || list[0].ID != "2000" || list[1].ID != "1999" || list[999].ID != "1001" || list[0].Main || list[499].ID != "1501" || list[499].Main {
		t.Errorf("got %d images, first %s, %s, last %s, main %v", len(list), list[0].ID, list[1].ID, list[999].ID, list[0].Main)
	}
	if n := f.srv.Recorder().Count("GET", ""); n != 4 {
		t.Errorf("%d GETs, want 4 pages of 250", n)
	}
	_, err = f.client.ProductImages().Add(ctx, "8", shopimg.NewImage{SourceURL: "https://images.example.com/one-more.jpg"})
	if !errors.Is(err, shopimg.ErrInvalidInput) || f.srv.Recorder().Count("POST", "") != 0 {
		t.Errorf("Add to a full product: err = %v after %d POSTs, want ErrInvalidInput and none", err, f.srv.Recorder().Count("POST", ""))
	}
}

// requests returns the recorded requests as "METHOD path" lines, with the
// store prefix cut.
func requests(f *fixture) []string {
	var out []string
	for _, r := range f.srv.Recorder().Requests() {
		out = append(out, r.Method+" "+r.Path[len("/stores/"+f.srv.StoreHash()+"/v3/catalog/products"):])
	}
	return out
}

func TestAddCostsAndPlacement(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	p := f.client.ProductImages()
	a, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://images.example.com/a.jpg", Alt: "A"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Main || a.Position != 0 || a.Alt != "A" || a.URL == "" {
		t.Errorf("first image = %+v, want main at 0", a)
	}
	b, _ := p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://images.example.com/b.jpg"})
	if b.Main || b.Position != 1 {
		t.Errorf("second image = %+v, want position 1", b)
	}
	if d := cmp.Diff([]string{"GET /111/images", "POST /111/images", "GET /111/images", "POST /111/images"}, requests(f)); d != "" {
		t.Errorf("an append costs one GET and one POST (-want +got):\n%s", d)
	}
	f.srv.Recorder().Reset()
	// Main: the new image becomes the thumbnail and first; the old one second.
	m, err := p.Add(ctx, "111", shopimg.NewImage{File: shopimg.FileFromBytes("m.png", []byte("png")), Main: true})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Main || m.Position != 0 {
		t.Errorf("main image = %+v", m)
	}
	list, _ := p.List(ctx, "111")
	if got := ids(list); !slices.Equal(got, []string{m.ID, a.ID, b.ID}) {
		t.Errorf("order = %v", got)
	}
	if d := cmp.Diff([]string{"GET /111/images", "POST /111/images", "GET /111/images", "GET /111/images"}, requests(f)); d != "" {
		t.Errorf("Add(Main) costs a GET, the POST and the check's GET (-want +got):\n%s", d)
	}
}

func TestAddMainWhereTheThumbnailIsNotFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	// The thumbnail has the highest sort_order: the store's order is
	// 1001, 1002, 1003 and List shows no main image. A new main image goes
	// before them all and takes the flag: the POST alone.
	f.srv.AddProduct(9, bigcommercetest.Image{SortOrder: 0}, bigcommercetest.Image{SortOrder: 1}, bigcommercetest.Image{SortOrder: 9, IsThumbnail: true})
	p := f.client.ProductImages()
	before, _ := p.List(ctx, "9")
	if got := ids(before); !slices.Equal(got, []string{"1001", "1002", "1003"}) || before[0].Main || before[2].Main {
		t.Errorf("before: %v, main %v, want the store's order and no main image", got, before[0].Main)
	}
	m, err := p.Add(ctx, "9", shopimg.NewImage{SourceURL: "https://images.example.com/m.jpg", Position: new(0)})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := p.List(ctx, "9")
	if got, want := ids(list), []string{m.ID, "1001", "1002", "1003"}; !slices.Equal(got, want) || !list[0].Main {
		t.Errorf("order = %v (main %v), want %v", got, list[0].Main, want)
	}
	if puts := f.srv.Recorder().Count("PUT", ""); puts != 0 {
		t.Errorf("%d PUTs, want 0", puts)
	}
}

func TestUpdateCosts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	p := f.client.ProductImages()
	var got []string
	for i := range 4 {
		img, _ := p.Add(ctx, "111", shopimg.NewImage{SourceURL: fmt.Sprintf("https://images.example.com/%d.jpg", i)})
		got = append(got, img.ID)
	}
	f.srv.Recorder().Reset()
	img, err := p.Update(ctx, "111", got[2], shopimg.ImageUpdate{Alt: new("Side")})
	if err != nil || img.Alt != "Side" || img.Position != 2 || img.Main {
		t.Fatalf("Update(Alt) = %+v, %v", img, err)
	}
	if d := cmp.Diff([]string{"GET /111/images", "PUT /111/images/" + got[2]}, requests(f)); d != "" {
		t.Errorf("Update(Alt) requests (-want +got):\n%s", d)
	}
	f.srv.Recorder().Reset()
	img, err = p.Update(ctx, "111", got[3], shopimg.ImageUpdate{Alt: new("Back"), Position: new(1)})
	if err != nil || img.Alt != "Back" || img.Position != 1 {
		t.Fatalf("Update(Alt, Position) = %+v, %v", img, err)
	}
	// The alt text rides on the move.
	if d := cmp.Diff([]string{"GET /111/images", "PUT /111/images/" + got[3], "GET /111/images"}, requests(f)); d != "" {
		t.Errorf("Update(Alt, Position) requests (-want +got):\n%s", d)
	}
	f.srv.Recorder().Reset()
	img, err = p.Update(ctx, "111", got[1], shopimg.ImageUpdate{Main: new(true)})
	if err != nil || !img.Main || img.Position != 0 {
		t.Fatalf("Update(Main) = %+v, %v", img, err)
	}
	list, _ := p.List(ctx, "111")
	if want := []string{got[1], got[0], got[3], got[2]}; !slices.Equal(ids(list), want) {
		t.Errorf("after Update(Main) = %v, want %v (the others keep their order)", ids(list), want)
	}
	if puts := f.srv.Recorder().Count("PUT", ""); puts != 1 {
		t.Errorf("Update(Main) sent %d PUTs, want 1", puts)
	}
	for _, r := range f.srv.Recorder().Requests() {
		var body struct {
			IsThumbnail *bool `json:"is_thumbnail"`
		}
		if r.Method == "PUT" && (json.Unmarshal(r.Body, &body) != nil || body.IsThumbnail == nil || !*body.IsThumbnail || r.Path != f.srv.ImagePath(111, int64(mustImageID(t, got[1])))) {
			t.Errorf("Update(Main) sent PUT %s %s, want is_thumbnail true on image %s", r.Path, r.Body, got[1])
		}
	}
	if stored, _ := f.srv.Images(111); !stored[1].IsThumbnail || stored[0].IsThumbnail {
		t.Errorf("stored thumbnails after Update(Main): %v, %v", stored[0].IsThumbnail, stored[1].IsThumbnail)
	}
	// Position of the image it already has: no write.
	f.srv.Recorder().Reset()
	if _, err := p.Update(ctx, "111", got[3], shopimg.ImageUpdate{Position: new(2)}); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Recorder().Count("PUT", ""); n != 0 {
		t.Errorf("a no-op move sent %d PUTs", n)
	}
}

// TestUpdateWithoutAThumbnail: on a product whose images have no
// thumbnail (a state the fake can be seeded with), an alt text change
// sends only the description, while Position 0 makes the image main.
func TestUpdateWithoutAThumbnail(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.srv.AddProduct(5, bigcommercetest.Image{SortOrder: 0}, bigcommercetest.Image{SortOrder: 1})
	p := f.client.ProductImages()
	img, err := p.Update(ctx, "5", "1001", shopimg.ImageUpdate{Alt: new("First")})
	if err != nil || img.Main || img.Position != 0 || img.Alt != "First" {
		t.Fatalf("Update(Alt) = %+v, %v", img, err)
	}
	reqs := f.srv.Recorder().Requests()
	if last := reqs[len(reqs)-1]; last.Method != "PUT" || string(last.Body) != `{"description":"First"}` {
		t.Errorf("Update(Alt) sent %s %s, want only the description", last.Method, last.Body)
	}
	img, err = p.Update(ctx, "5", "1001", shopimg.ImageUpdate{Position: new(0)})
	if err != nil || !img.Main || img.Position != 0 {
		t.Fatalf("Update(Position 0) = %+v, %v", img, err)
	}
	if stored, _ := f.srv.Images(5); !stored[0].IsThumbnail || stored[1].IsThumbnail {
		t.Errorf("stored %+v, want 1001 the thumbnail", stored)
	}
}

func TestAdapterInputErrorsSendNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, bigcommerce.WithMaxUploadSize(10))
	p := f.client.ProductImages()
	checks := map[string]error{
		"List(abc)":           second(p.List(ctx, "abc")),
		"List(-1)":            second(p.List(ctx, "-1")),
		"Add(+1)":             second(p.Add(ctx, "+1", shopimg.NewImage{SourceURL: "https://x.example/a.jpg"})),
		"Add(file too large)": second(p.Add(ctx, "111", shopimg.NewImage{File: shopimg.FileFromBytes("a.png", make([]byte, 11))})),
		"Add(URL too long)":   second(p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://x.example/" + string(make([]byte, 300))})),
		"Update(image x)":     second(p.Update(ctx, "111", "x", shopimg.ImageUpdate{Alt: new("a")})),
		"Reorder(x)":          p.Reorder(ctx, "111", []string{"x\n"}),
		"Delete(1.5)":         p.Delete(ctx, "111", "1.5"),
	}
	for name, err := range checks {
		if !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if n := f.srv.Recorder().Count("", ""); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
	var e *shopimg.InputError
	if _, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://x.example/a.jpg", Position: new(1)}); !errors.As(err, &e) || e.Field != "Position" {
		t.Errorf("Add at 1 of 0: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func mustImageID(t *testing.T, s string) bigcommerce.ImageID {
	t.Helper()
	id, err := bigcommerce.ParseImageID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestUnknownProductAndImage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	p := f.client.ProductImages()
	if _, err := p.List(ctx, "999"); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("List(999) = %v, want ErrNotFound", err)
	}
	if _, err := p.Update(ctx, "111", "5", shopimg.ImageUpdate{Alt: new("x")}); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("Update of an unknown image = %v, want ErrNotFound", err)
	}
	var e *bigcommerce.APIError
	_, _, err := f.client.GetImage(ctx, 999, 1)
	if !errors.As(err, &e) || e.Message != "The requested product was not found" {
		t.Errorf("GetImage(999) = %v", err)
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(epoch)
	srv := bigcommercetest.NewServer(bigcommercetest.WithoutQuota(), bigcommercetest.WithClock(clock))
	t.Cleanup(srv.Close)
	c, err := bigcommerce.NewClient(srv.StoreHash(), "wrong-token", bigcommerce.WithBaseURL(srv.URL), bigcommerce.WithHTTPClient(srv.Client()), bigcommerce.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ProductImages().List(ctx, "1")
	if !errors.Is(err, shopimg.ErrUnauthorized) {
		t.Errorf("err = %v, want ErrUnauthorized", err)
	}
	_, _, err = c.V2().ListImages(ctx, 1, nil)
	var e *bigcommerce.APIError
	if !errors.As(err, &e) || e.StatusCode != 401 || e.Message == "" {
		t.Errorf("v2 err = %v", err)
	}
	if n, s := srv.Recorder().Count("", ""), clock.Slept(); n != 2 || s != 0 {
		t.Errorf("%d requests, %v slept; want 2 and none (a 401 is not retried)", n, s)
	}
	for _, r := range srv.Recorder().Requests() {
		if got := r.Header.Get("X-Auth-Token"); got != bigcommercetest.Redacted {
			t.Errorf("recorded token %q, want it redacted", got)
		}
	}
}

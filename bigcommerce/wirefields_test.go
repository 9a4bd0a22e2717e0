package bigcommerce_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
)

// TestWireFieldsAgainstTheFake sends and reads every field of the client's
// image types through the fake server, whose wire structs are written from
// the spec apart from the client's: each field the client writes must be
// stored, and each field the fake stores must be read back, under the same
// JSON name. A misspelt tag on either side fails here.
func TestWireFieldsAgainstTheFake(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithoutQuota()})
	seeded := f.srv.AddProduct(7, bigcommercetest.Image{
		SortOrder: 4, IsThumbnail: true, Description: "Front", ImageFile: "a/001/front__01001.jpg", ImageURL: "https://pim.example.com/front.jpg",
	})[0]
	// v3, read: every field of productImage_Full.
	fromFake := func(s bigcommercetest.Image) bigcommerce.Image {
		return bigcommerce.Image{
			ID: bigcommerce.ImageID(s.ID), ProductID: bigcommerce.ProductID(s.ProductID), ImageFile: s.ImageFile, ImageURL: s.ImageURL,
			IsThumbnail: s.IsThumbnail, SortOrder: s.SortOrder, Description: s.Description, URLZoom: s.URLZoom,
			URLStandard: s.URLStandard, URLThumbnail: s.URLThumbnail, URLTiny: s.URLTiny, DateModified: s.DateModified,
		}
	}
	got, _, err := f.client.GetImage(ctx, 7, 1001)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(fromFake(seeded), got, timeEqual); d != "" {
		t.Errorf("GetImage (-fake +client):\n%s", d)
	}
	page, _, err := f.client.ListImages(ctx, 7, nil)
	if err != nil || len(page.Images) != 1 {
		t.Fatalf("ListImages: %v, %v", page, err)
	}
	if d := cmp.Diff(fromFake(seeded), page.Images[0], timeEqual); d != "" {
		t.Errorf("ListImages (-fake +client):\n%s", d)
	}
	if p := page.Pagination; p.Total != 1 || p.Count != 1 || p.PerPage != 50 || p.CurrentPage != 1 || p.TotalPages != 1 {
		t.Errorf("pagination %+v", p)
	}

	// v3, write: every field of productImage_Post_Put.
	created, _, err := f.client.CreateImage(ctx, 7, bigcommerce.CreateImageRequest{ImageURL: "https://pim.example.com/side.jpg", IsThumbnail: true, SortOrder: new(9), Description: "Side"})
	if err != nil {
		t.Fatal(err)
	}
	stored := storedImage(t, f.srv, 7, int64(created.ID))
	if stored.ImageURL != "https://pim.example.com/side.jpg" || !stored.IsThumbnail || stored.SortOrder != 9 || stored.Description != "Side" {
		t.Errorf("the create stored %+v", stored)
	}
	if _, _, err := f.client.UpdateImage(ctx, 7, 1001, bigcommerce.UpdateImageRequest{ImageURL: "https://pim.example.com/front-2.jpg", IsThumbnail: new(true), SortOrder: new(20), Description: new("Front 2")}); err != nil {
		t.Fatal(err)
	}
	stored = storedImage(t, f.srv, 7, 1001)
	if stored.ImageURL != "https://pim.example.com/front-2.jpg" || !stored.IsThumbnail || stored.SortOrder != 20 || stored.Description != "Front 2" {
		t.Errorf("the update stored %+v", stored)
	}

	// v2, both ways.
	v2 := f.client.V2()
	c2, _, err := v2.CreateImage(ctx, 7, bigcommerce.V2CreateImageRequest{ImageFile: "https://pim.example.com/back.png", IsThumbnail: true, SortOrder: new(30), Description: "Back"})
	if err != nil {
		t.Fatal(err)
	}
	stored = storedImage(t, f.srv, 7, int64(c2.ID))
	if !stored.IsThumbnail || stored.SortOrder != 30 || stored.Description != "Back" {
		t.Errorf("the v2 create stored %+v", stored)
	}
	if _, _, err := v2.UpdateImage(ctx, 7, c2.ID, bigcommerce.V2UpdateImageRequest{SortOrder: new(31), Description: new("Back 2")}); err != nil {
		t.Fatal(err)
	}
	g2, _, err := v2.GetImage(ctx, 7, c2.ID)
	if err != nil {
		t.Fatal(err)
	}
	s2 := storedImage(t, f.srv, 7, int64(c2.ID))
	want2 := bigcommerce.V2Image{
		ID: c2.ID, ProductID: 7, ImageFile: s2.ImageFile, ZoomURL: s2.URLZoom, ThumbnailURL: s2.URLThumbnail, StandardURL: s2.URLStandard,
		TinyURL: s2.URLTiny, IsThumbnail: s2.IsThumbnail, SortOrder: 31, Description: "Back 2",
		DateCreated: bigcommerce.V2Time{Time: epoch}, DateModified: bigcommerce.V2Time{Time: s2.DateModified},
	}
	if d := cmp.Diff(want2, g2, timeEqual); d != "" {
		t.Errorf("v2 GetImage (-fake +client):\n%s", d)
	}
}

// storedImage returns image id of the product as the fake stores it.
func storedImage(t *testing.T, srv *bigcommercetest.Server, pid, id int64) bigcommercetest.Image {
	t.Helper()
	imgs, err := srv.Images(pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range imgs {
		if img.ID == id {
			return img
		}
	}
	t.Fatalf("image %d is not stored", id)
	return bigcommercetest.Image{}
}

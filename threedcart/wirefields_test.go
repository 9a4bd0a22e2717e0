package threedcart_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// TestWireFieldsAgainstTheFake sends and reads every field of the client's
// ImageGallery types through the fake server, whose wire structs are
// written from the vendor's help pages apart from the client's: each field
// the client writes must be stored, and each field the fake stores must be
// read back, under the same JSON name. A misspelt tag on either side fails
// here.
func TestWireFieldsAgainstTheFake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, nil)
	seeded := e.srv.AddProduct(7, threedcarttest.Image{ImageGalleryFile: "assets/front.jpg", ImageGalleryCaption: "Front", ImageGallerySorting: 4})[0]
	got, _, err := e.client.ListImages(ctx, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []threedcart.Image{{ImageGalleryID: threedcart.ImageGalleryID(seeded.ImageGalleryID), ImageGalleryFile: "assets/front.jpg", ImageGalleryCaption: "Front", ImageGallerySorting: 4}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ListImages (-fake +client):\n%s", d)
	}

	id, _, err := e.client.CreateImage(ctx, 7, threedcart.CreateImageRequest{ImageGalleryFile: "https://pim.example.com/side.jpg", ImageGalleryCaption: "Side", ImageGallerySorting: 9})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.client.UpdateImage(ctx, 7, threedcart.Image{ImageGalleryID: threedcart.ImageGalleryID(seeded.ImageGalleryID), ImageGalleryFile: "assets/front-2.jpg", ImageGalleryCaption: "Front 2", ImageGallerySorting: 5}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.client.UpdateImages(ctx, 7, []threedcart.Image{{ImageGalleryID: id, ImageGalleryFile: "https://pim.example.com/side-2.jpg", ImageGalleryCaption: "Side 2", ImageGallerySorting: 1}}); err != nil {
		t.Fatal(err)
	}
	stored, err := e.srv.Images(7)
	if err != nil {
		t.Fatal(err)
	}
	wantStored := []threedcarttest.Image{
		{ImageGalleryID: seeded.ImageGalleryID, ImageGalleryFile: "assets/front-2.jpg", ImageGalleryCaption: "Front 2", ImageGallerySorting: 5},
		{ImageGalleryID: int64(id), ImageGalleryFile: "https://pim.example.com/side-2.jpg", ImageGalleryCaption: "Side 2", ImageGallerySorting: 1},
	}
	if d := cmp.Diff(wantStored, stored); d != "" {
		t.Errorf("stored (-want +got):\n%s", d)
	}
}

package threedcart_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// The common interface on a 3dcart store (here the fake one): add images,
// put the last one first, and list the gallery in display order.
func Example() {
	srv := threedcarttest.NewServer()
	defer srv.Close()
	srv.AddProduct(1001)

	// For a real store: threedcart.NewClient(threedcart.Credentials{SecureURL: ..., PrivateKey: ..., Token: ...})
	client, err := srv.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	images := client.ProductImages()
	ctx := context.Background()

	var ids []string
	for _, name := range []string{"front", "side", "back"} {
		img, err := images.Add(ctx, "1001", shopimg.NewImage{SourceURL: "https://cdn.example.com/" + name + ".jpg", Alt: name})
		if err != nil {
			fmt.Println(err)
			return
		}
		ids = append(ids, img.ID)
	}
	if err := images.Reorder(ctx, "1001", []string{ids[2], ids[0], ids[1]}); err != nil {
		fmt.Println(err)
		return
	}
	list, _ := images.List(ctx, "1001")
	for _, img := range list {
		fmt.Println(img.Position, img.ID, img.Alt, img.Main, img.URL)
	}
	// Output:
	// 0 1003 back true https://cdn.example.com/back.jpg
	// 1 1001 front false https://cdn.example.com/front.jpg
	// 2 1002 side false https://cdn.example.com/side.jpg
}

// What the API cannot do is reported before anything is sent.
func Example_unsupported() {
	srv := threedcarttest.NewServer()
	defer srv.Close()
	imgs := srv.AddProduct(7, threedcarttest.Image{ImageGalleryFile: "assets/images/shoe.jpg"})
	client, _ := srv.NewClient()
	images := client.ProductImages()

	err := images.Delete(context.Background(), "7", fmt.Sprint(imgs[0].ImageGalleryID))
	fmt.Println(errors.Is(err, shopimg.ErrUnsupported))
	fmt.Println(err)
	fmt.Println("requests sent:", len(srv.Recorder().Requests()))
	// Output:
	// true
	// threedcart: delete an image is unsupported: the API has no image delete endpoint
	// requests sent: 0
}

// The typed client speaks the vendor's own model. The iterator fetches pages
// as it goes and yields each image once.
func ExampleClient_ListImagesIter() {
	srv := threedcarttest.NewServer()
	defer srv.Close()
	srv.AddProduct(42,
		threedcarttest.Image{ImageGalleryFile: "assets/images/a.jpg", ImageGalleryCaption: "A", ImageGallerySorting: 2},
		threedcarttest.Image{ImageGalleryFile: "assets/images/b.jpg", ImageGalleryCaption: "B", ImageGallerySorting: 1},
		threedcarttest.Image{ImageGalleryFile: "assets/images/c.jpg", ImageGalleryCaption: "C", ImageGallerySorting: 3},
	)
	client, _ := srv.NewClient(threedcart.WithPageSize(2))

	for img, err := range client.ListImagesIter(context.Background(), 42, nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(img.ImageGalleryID, img.ImageGalleryCaption, img.ImageGallerySorting, client.ImageURL(img))
	}
	fmt.Println("GETs:", srv.Recorder().Count("GET", ""))
	// Output:
	// 1001 A 2 https://demo.3dcartstores.com/assets/images/a.jpg
	// 1002 B 1 https://demo.3dcartstores.com/assets/images/b.jpg
	// 1003 C 3 https://demo.3dcartstores.com/assets/images/c.jpg
	// GETs: 3
}

// Order and captions change in one collection PUT through
// shopimg.BatchUpdater.
func ExampleClient_ProductImages_batch() {
	srv := threedcarttest.NewServer()
	defer srv.Close()
	srv.AddProduct(5,
		threedcarttest.Image{ImageGalleryFile: "https://cdn.example.com/1.jpg", ImageGallerySorting: 1},
		threedcarttest.Image{ImageGalleryFile: "https://cdn.example.com/2.jpg", ImageGallerySorting: 2},
	)
	client, _ := srv.NewClient()
	batch := client.ProductImages().(shopimg.BatchUpdater)

	list, err := batch.UpdateImages(context.Background(), "5", shopimg.BatchUpdate{
		Order: []string{"1002", "1001"},
		Alt:   map[string]string{"1002": "Now first", "1001": "Now second"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, img := range list {
		fmt.Println(img.Position, img.ID, img.Alt)
	}
	fmt.Println("PUTs:", srv.Recorder().Count("PUT", ""))
	// Output:
	// 0 1002 Now first
	// 1 1001 Now second
	// PUTs: 1
}

// A write the API refused, even with HTTP 200, is an *APIError classified by
// the Status of its {Key, Value, Status, Message} item.
func ExampleAPIError() {
	srv := threedcarttest.NewServer()
	defer srv.Close()
	srv.AddProduct(5)
	client, _ := srv.NewClient()

	_, _, err := client.UpdateImage(context.Background(), 5, threedcart.Image{ImageGalleryID: 999, ImageGalleryFile: "x.jpg"})
	var apiErr *threedcart.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Message, errors.Is(err, shopimg.ErrNotFound))
	}
	// Output:
	// 404 ImageGalleryID not found true
}

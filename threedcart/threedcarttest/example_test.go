package threedcarttest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// A fault that lets the write happen but drops the connection: the client
// cannot know whether the image was added, and says so.
func Example_faults() {
	srv := threedcarttest.NewServer()
	defer srv.Close()
	srv.AddProduct(9)
	client, _ := srv.NewClient(threedcart.WithRetry(shopimg.RetryPolicy{}))

	srv.Faults().Add(threedcarttest.Fault{Method: http.MethodPost, Path: threedcarttest.ImagesPath(9), AfterApply: true, Drop: true})
	_, _, err := client.CreateImage(context.Background(), 9, threedcart.CreateImageRequest{ImageGalleryFile: "https://cdn.example.com/a.jpg"})
	fmt.Println(errors.Is(err, shopimg.ErrOutcomeUnknown))

	stored, _ := srv.Images(9)
	fmt.Println("stored:", len(stored), "POSTs:", srv.Recorder().Count("POST", ""))
	// Output:
	// true
	// stored: 1 POSTs: 1
}

// The server can count offset from 1 and end the data with an empty 404,
// the other readings of the vendor's docs.
func ExampleWithOffsetBase() {
	srv := threedcarttest.NewServer(threedcarttest.WithOffsetBase(1), threedcarttest.WithPastEnd(threedcarttest.PastEndNotFound))
	defer srv.Close()
	srv.AddProduct(3, threedcarttest.Image{ImageGalleryFile: "a.jpg"}, threedcarttest.Image{ImageGalleryFile: "b.jpg"}, threedcarttest.Image{ImageGalleryFile: "c.jpg"})
	client, _ := srv.NewClient(threedcart.WithPageSize(2))

	for img, err := range client.ListImagesIter(context.Background(), 3, nil) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(img.ImageGalleryID, img.ImageGalleryFile)
	}
	for _, r := range srv.Recorder().Requests() {
		fmt.Println(r.Method, r.Path+"?"+r.RawQuery, r.Status)
	}
	// Output:
	// 1001 a.jpg
	// 1002 b.jpg
	// 1003 c.jpg
	// GET /3dCartWebAPI/v1/Products/3/Images?limit=2&offset=0 200
	// GET /3dCartWebAPI/v1/Products/3/Images?limit=2&offset=2 200
	// GET /3dCartWebAPI/v1/Products/3/Images?limit=2&offset=4 404
}

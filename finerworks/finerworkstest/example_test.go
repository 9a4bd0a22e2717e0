package finerworkstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
)

// The server can read the vendor's docs each other way: here add_images
// answers with the created images and count is the page's size. A client
// works the same under every reading.
func Example() {
	srv := finerworkstest.NewServer(finerworkstest.WithAddAnswer(finerworkstest.AddAnswerImages), finerworkstest.WithCount(finerworkstest.CountPage))
	defer srv.Close()
	srv.AddImages(finerworkstest.Inventory, finerworkstest.Image{Title: "Harbour", FileName: "harbour.jpg"})
	client, err := srv.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	created, _, err := client.AddImages(ctx, finerworks.Inventory, []finerworks.AddImage{{Title: "Dunes", FileName: "dunes.jpg", PrivateHiresURI: "https://cdn.example.com/dunes.jpg"}})
	fmt.Println(len(created), created[0].Title, err)

	images, err := client.ProductImages().List(ctx, "inventory")
	for _, img := range images {
		fmt.Println(img.Position, img.Alt)
	}
	for _, r := range srv.Recorder().Requests() {
		fmt.Println(r.Method, r.Path, r.Status, r.Header.Get("web_api_key"))
	}
	// Output:
	// 1 Dunes <nil>
	// 0 Harbour
	// 1 Dunes
	// POST /v3/add_images 200 REDACTED
	// POST /v3/list_images 200 REDACTED
}

// A fault that lets the add happen but drops the connection: the client
// cannot know whether the image was added, and says so.
func Example_faults() {
	srv := finerworkstest.NewServer()
	defer srv.Close()
	client, _ := srv.NewClient(finerworks.WithRetry(shopimg.RetryPolicy{}))

	srv.Faults().Add(finerworkstest.Fault{Method: http.MethodPost, Path: finerworkstest.AddImagesPath, AfterApply: true, Drop: true})
	_, _, err := client.AddImages(context.Background(), "", []finerworks.AddImage{{FileName: "a.jpg", PrivateHiresURI: "https://cdn.example.com/a.jpg"}})
	fmt.Println(errors.Is(err, shopimg.ErrOutcomeUnknown))
	fmt.Println("stored:", len(srv.Images(finerworkstest.Inventory)))
	// Output:
	// true
	// stored: 1
}

package finerworks_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// exampleServer is a fake account on a fixed clock and GUID seed, so the
// output does not change.
func exampleServer() *finerworkstest.Server {
	return finerworkstest.NewServer(finerworkstest.WithClock(shopimgtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))), finerworkstest.WithSeed(7))
}

func ExampleNewClient() {
	// On a real account: the two keys of the FinerWorks API, sent as the
	// web_api_key and app_key headers.
	client, err := finerworks.NewClient(finerworks.Credentials{WebAPIKey: "my-web-api-key", AppKey: "my-app-key"},
		finerworks.WithBaseURL(finerworks.SandboxBaseURL),
		finerworks.WithLibrary(finerworks.Library{SessionID: "my-integration-0001", SiteID: 2}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client) // never shows a key

	_, err = finerworks.NewClient(finerworks.Credentials{WebAPIKey: "my-web-api-key"})
	fmt.Println(errors.Is(err, shopimg.ErrInvalidInput))
	// Output:
	// finerworks.Client{library:inventory}
	// true
}

func ExampleClient_ProductImages() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	images := client.ProductImages() // the product ID is a library name

	for _, name := range []string{"harbour", "dunes", "lighthouse"} {
		if _, err := images.Add(ctx, "inventory", shopimg.NewImage{SourceURL: "https://cdn.example.com/prints/" + name + ".jpg", Alt: name}); err != nil {
			log.Fatal(err)
		}
	}
	list, err := images.List(ctx, "inventory")
	if err != nil {
		log.Fatal(err)
	}
	for _, img := range list {
		fmt.Println(img.Position, img.ID, img.Alt, img.URL)
	}
	// A library has no order and no main image.
	err = images.Reorder(ctx, "inventory", []string{list[2].ID, list[0].ID, list[1].ID})
	fmt.Println(errors.Is(err, shopimg.ErrUnsupported))
	// Output:
	// 0 7bb1665e-ece8-4fc6-80d2-f693ce99a296 harbour https://cdn.example.com/prints/harbour.jpg
	// 1 8d0c281e-60fd-46e1-89d4-9bedc77508ec dunes https://cdn.example.com/prints/dunes.jpg
	// 2 d345c087-a285-469e-8627-d3f2dc345dfb lighthouse https://cdn.example.com/prints/lighthouse.jpg
	// true
}

func ExampleClient_AddImages() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Twelve hosted files: add_images takes five at a time, so three calls.
	var imgs []finerworks.AddImage
	for i := range 12 {
		url := fmt.Sprintf("https://cdn.example.com/prints/print-%02d.jpg", i)
		imgs = append(imgs, finerworks.AddImage{Title: fmt.Sprint("Print ", i), FileName: fmt.Sprintf("print-%02d.jpg", i), PrivateHiresURI: url, PublicPreviewURI: url})
	}
	if _, _, err := client.AddImages(ctx, finerworks.Inventory, imgs); err != nil {
		log.Fatal(err)
	}
	fmt.Println("add_images calls:", srv.Recorder().Count("POST", finerworkstest.AddImagesPath))

	// The newest first (the API's default order) of those whose title or
	// description holds "Print 1".
	page, _, err := client.ListImages(ctx, &finerworks.ListImagesRequest{PerPage: 5, SearchFilter: "Print 1"})
	if err != nil {
		log.Fatal(err)
	}
	for _, img := range page.Images {
		fmt.Println(img.ID, img.Title, img.FileName)
	}
	// Output:
	// add_images calls: 3
	// 1012 Print 11 print-11.jpg
	// 1011 Print 10 print-10.jpg
	// 1002 Print 1 print-01.jpg
}

func ExampleAPIError() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	// The API answers HTTP 200 with success false in its status envelope:
	// an error all the same, classified by the envelope's status_code.
	_, err = client.DeleteImages(context.Background(), finerworks.Inventory, []finerworks.ImageGUID{"eaedbfbc-aee8-408f-9a80-43bda4e94de7"})
	var ae *finerworks.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.StatusCode, ae.Message, errors.Is(err, shopimg.ErrNotFound))
	}
	// Output:
	// 404 Image not found: eaedbfbc-aee8-408f-9a80-43bda4e94de7 true
}

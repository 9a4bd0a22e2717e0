package bigcommerce_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// exampleServer is a fake store with product 111, on a fixed clock so the
// output does not change.
func exampleServer() *bigcommercetest.Server {
	srv := bigcommercetest.NewServer(bigcommercetest.WithClock(shopimgtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))))
	srv.AddProduct(111)
	return srv
}

func ExampleNewClient() {
	// On a real store: the store hash from the API path
	// (https://api.bigcommerce.com/stores/{store_hash}/v3) and an API
	// account's access token, sent as X-Auth-Token.
	client, err := bigcommerce.NewClient("abc123", "access-token")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client) // never shows the token

	_, err = bigcommerce.NewClient("abc123", "")
	fmt.Println(errors.Is(err, shopimg.ErrInvalidInput))
	// Output:
	// bigcommerce.Client{store:abc123}
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
	images := client.ProductImages()

	var ids []string
	for _, name := range []string{"front", "side", "back"} {
		img, err := images.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://images.example.com/" + name + ".jpg", Alt: name})
		if err != nil {
			log.Fatal(err)
		}
		ids = append(ids, img.ID)
	}
	// Back first: one PUT makes it the thumbnail with a sort_order below the
	// others' (negative values are valid). Front and side are not written;
	// the store shifts their sort_orders up by one, as its documented rule
	// says. The adapter leaves gaps between the sort_orders it picks, so a
	// store that does not shift still has room for later moves.
	srv.Recorder().Reset()
	if err := images.Reorder(ctx, "111", []string{ids[2], ids[0], ids[1]}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("PUTs:", srv.Recorder().Count("PUT", ""))

	list, err := images.List(ctx, "111")
	if err != nil {
		log.Fatal(err)
	}
	for _, img := range list {
		raw := img.Raw.(bigcommerce.Image)
		fmt.Printf("%d %s %-5s main=%v sort_order=%d\n", img.Position, img.ID, img.Alt, img.Main, raw.SortOrder)
	}
	// Output:
	// PUTs: 1
	// 0 1003 back  main=true sort_order=-16
	// 1 1001 front main=false sort_order=1
	// 2 1002 side  main=false sort_order=17
}

func ExampleClient_ListImagesIter() {
	srv := exampleServer()
	defer srv.Close()
	srv.AddProduct(222, make([]bigcommercetest.Image, 5)...)
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	// Two images a page: three GETs, made as the loop goes.
	n := 0
	for img, err := range client.ListImagesIter(context.Background(), 222, &bigcommerce.ListImagesOptions{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
		_ = img
	}
	fmt.Println(n, "images,", srv.Recorder().Count("GET", srv.ImagesPath(222)), "pages")

	// A product without images answers 204: an empty page.
	page, _, err := client.ListImages(context.Background(), 111, nil)
	fmt.Println(len(page.Images), err)
	// Output:
	// 5 images, 3 pages
	// 0 <nil>
}

func ExampleClient_UploadImage() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	// The file is streamed as the multipart part image_file; a File of
	// known Size over the limit (DefaultMaxUploadSize) is refused before
	// anything is sent.
	img, _, err := client.UploadImage(ctx, 111, bigcommerce.UploadImageRequest{
		File:        shopimg.FileFromBytes("shoe.png", []byte("\x89PNG...")),
		Description: "Red shoe",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.ID, img.IsThumbnail, img.Description)

	big := &shopimg.File{Name: "huge.jpg", Size: bigcommerce.DefaultMaxUploadSize + 1, Open: shopimg.FileFromBytes("x", nil).Open}
	_, _, err = client.UploadImage(ctx, 111, bigcommerce.UploadImageRequest{File: big})
	fmt.Println(errors.Is(err, shopimg.ErrInvalidInput), srv.Recorder().Count("POST", ""))
	// Output:
	// 1001 true Red shoe
	// true 1
}

func ExampleV2Service() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient(bigcommerce.WithV2JSONSuffix(true))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	v2 := client.V2()
	img, _, err := v2.CreateImage(ctx, 111, bigcommerce.V2CreateImageRequest{ImageFile: "https://images.example.com/front.jpg"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.ID, img.DateCreated)
	n, _, err := v2.CountImages(ctx) // store-wide
	fmt.Println(n, err)
	for _, r := range srv.Recorder().Requests() {
		fmt.Println(r.Method, r.Path, r.Status)
	}
	// Output:
	// 1001 Sun, 01 Mar 2026 09:00:00 +0000
	// 1 <nil>
	// POST /stores/abc123/v2/products/111/images.json 201
	// GET /stores/abc123/v2/products/images/count.json 200
}

func ExampleAPIError() {
	srv := exampleServer()
	defer srv.Close()
	client, err := srv.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	_, _, err = client.GetImage(context.Background(), 999, 1)
	var apiErr *bigcommerce.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Message)
	}
	fmt.Println(errors.Is(err, shopimg.ErrNotFound))
	// Output:
	// 404 The requested product was not found
	// true
}

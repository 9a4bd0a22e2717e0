package bigcommercetest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// A fake store seeded with a product, a client on it, and a fault that
// lets the create happen but drops the connection: the client cannot know
// whether the image was added, and says so.
func Example() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithClock(shopimgtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))))
	defer srv.Close()
	srv.AddProduct(111,
		bigcommercetest.Image{Description: "front", IsThumbnail: true},
		bigcommercetest.Image{Description: "back", SortOrder: 1},
	)
	client, _ := srv.NewClient() // a client of the fake needs no credentials of yours
	ctx, images := context.Background(), client.ProductImages()

	list, _ := images.List(ctx, "111")
	for _, img := range list {
		fmt.Println(img.ID, img.Alt, "main:", img.Main, strings.HasPrefix(img.URL, bigcommercetest.DefaultCDN))
	}

	srv.Faults().Add(bigcommercetest.Fault{Method: http.MethodPost, Path: srv.ImagesPath(111), AfterApply: true, Drop: true})
	_, err := images.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://pim.example.com/side.jpg", Alt: "side"})
	fmt.Println("outcome unknown:", errors.Is(err, shopimg.ErrOutcomeUnknown))

	stored, _ := srv.SortedImages(111)
	for _, img := range stored {
		fmt.Printf("%d %d %s from %q\n", img.ID, img.SortOrder, img.Description, img.ImageURL)
	}
	fmt.Println("write requests:", srv.Recorder().Writes())
	// Output:
	// 1001 front main: true true
	// 1002 back main: false true
	// outcome unknown: true
	// 1001 0 front from ""
	// 1002 1 back from ""
	// 1003 17 side from "https://pim.example.com/side.jpg"
	// write requests: 1
}

// The docs leave open how a written sort_order moves the other images; each
// reading is an option. Here the store keeps the sort_order as sent, so a
// move to a higher priority ties with the image already there.
func ExampleWithReading() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithReading(bigcommercetest.Reading{Shift: bigcommercetest.ShiftNone}), bigcommercetest.WithoutQuota())
	defer srv.Close()
	srv.AddProduct(7, bigcommercetest.Image{IsThumbnail: true}, bigcommercetest.Image{SortOrder: 1}, bigcommercetest.Image{SortOrder: 2})

	req, _ := http.NewRequest(http.MethodPut, srv.URL+srv.ImagePath(7, 1003), strings.NewReader(`{"sort_order":0}`))
	req.Header.Set("X-Auth-Token", srv.AccessToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, srv.Reading())
	stored, _ := srv.SortedImages(7)
	for _, img := range stored {
		fmt.Println(img.ID, img.SortOrder, img.IsThumbnail)
	}
	// Output:
	// 200 shift-none/thumbnail-promote
	// 1001 0 true
	// 1003 0 false
	// 1002 1 false
}

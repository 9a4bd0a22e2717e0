package shopimg_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
)

// Code written against shopimg.ProductImages works on every platform. Here it
// runs on the in-memory fake from shopimgtest.
func Example() {
	ctx := context.Background()
	fake := shopimgtest.NewFake()
	fake.AddProduct("42")
	var store shopimg.ProductImages = fake

	front, _ := store.Add(ctx, "42", shopimg.NewImage{SourceURL: "https://cdn.example.com/front.jpg", Alt: "Front"})
	back, _ := store.Add(ctx, "42", shopimg.NewImage{SourceURL: "https://cdn.example.com/back.jpg", Alt: "Back"})
	if err := store.Reorder(ctx, "42", []string{back.ID, front.ID}); err != nil {
		fmt.Println(err)
	}
	images, _ := store.List(ctx, "42")
	for _, img := range images {
		fmt.Println(img.Position, img.Alt, img.Main)
	}
	// Output:
	// 0 Back true
	// 1 Front false
}

// Errors from any platform are classified with errors.Is.
func Example_errors() {
	ctx := context.Background()
	threeDCartLike := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.ThreeDCartProfile))
	threeDCartLike.AddProduct("7")
	img, _ := threeDCartLike.Add(ctx, "7", shopimg.NewImage{SourceURL: "https://cdn.example.com/a.jpg"})

	err := threeDCartLike.Delete(ctx, "7", img.ID)
	fmt.Println(errors.Is(err, shopimg.ErrUnsupported))

	err = threeDCartLike.Reorder(ctx, "7", []string{img.ID, img.ID})
	fmt.Println(errors.Is(err, shopimg.ErrInvalidInput))
	// Output:
	// true
	// true
}

// ReorderCost tells what a reorder costs on a platform before it is sent:
// on BigCommerce (per-image writes, the main image a flag) making "b" main
// costs a write on it, and "a", then first among the others, must move to
// the end; on Shoptet one PATCH carries any order.
func ExampleCapabilities_ReorderCost() {
	current := []string{"a", "b", "c", "d", "e"}
	target := []string{"b", "c", "d", "e", "a"}
	bigcommerce := shopimg.Capabilities{Reorder: true, SetMain: true, MainIsFlag: true}
	shoptet := shopimg.Capabilities{Reorder: true, BatchReorder: true, MaxPerCall: 100}
	fmt.Println(bigcommerce.ReorderCost(current, target), bigcommerce.ReorderWrites(current, target))
	fmt.Println(shoptet.ReorderCost(current, target))
	// Output:
	// 2 [b a]
	// 1
}

// An API error carries the vendor's details and matches a category.
func ExampleAPIError() {
	var err error = &shopimg.APIError{
		Platform: "bigcommerce", Method: "GET", Path: "/stores/abc/v3/catalog/products/9/images",
		StatusCode: 404, Message: "The requested product was not found",
	}
	var apiErr *shopimg.APIError
	if errors.As(err, &apiErr) && errors.Is(err, shopimg.ErrNotFound) {
		fmt.Println(apiErr.StatusCode, apiErr.Message)
	}
	// Output: 404 The requested product was not found
}

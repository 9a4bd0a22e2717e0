package sallatest_test

import (
	"context"
	"fmt"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/salla/sallatest"
)

// A fake store for tests: seed a product, use a client on it, then look at
// what the server stored and received.
func Example() {
	srv := sallatest.NewServer(sallatest.WithFirstID(500))
	defer srv.Close()
	srv.AddProduct(42, "SKU-42")

	client, err := srv.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	img, err := client.ProductImages().Add(context.Background(), "42", shopimg.NewImage{SourceURL: "https://pim.example.com/shoe.jpg", Alt: "Shoe"})
	fmt.Println(img.ID, err)
	items, _ := srv.Items(42)
	for _, it := range items {
		fmt.Println(it.ID, it.Sort, it.Default, it.Alt, it.URL)
	}
	fmt.Println(srv.Recorder().Count("POST", sallatest.ImagesPath(42)), "attach")
	// Output:
	// 500 <nil>
	// 500 1024 true Shoe https://cdn.salla.sa/fake/500-shoe.jpg
	// 1 attach
}

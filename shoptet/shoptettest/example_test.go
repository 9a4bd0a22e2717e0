package shoptettest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// A fake e-shop with one product; a client adds an image (a job the fake
// completes at its first poll) and lists the gallery.
func Example() {
	srv := shoptettest.NewServer(shoptettest.WithNaming(shoptettest.NameFromURL), shoptettest.WithClock(shopimgtest.NewClock(time.Now()))) // job polls wait on the test clock
	defer srv.Close()
	guid := srv.AddProduct(shoptettest.Image{Name: "100.jpg", Priority: new(10), Description: new("Front")})

	client, err := srv.NewClient()
	if err != nil {
		panic(err)
	}
	images := client.ProductImages()
	ctx := context.Background()
	if _, err := images.Add(ctx, guid, shopimg.NewImage{SourceURL: "https://img.example.com/side.jpg", Alt: "Side", Main: true}); err != nil {
		panic(err)
	}
	list, err := images.List(ctx, guid)
	if err != nil {
		panic(err)
	}
	for _, img := range list {
		fmt.Println(img.Position, img.ID, img.Alt, img.Main)
	}
	// Output:
	// 0 side.jpg Side true
	// 1 100.jpg Front false
}

package shoptet_test

import (
	"context"
	"fmt"

	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shoptet"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// Adding images is asynchronous: AddImages returns a job, WaitJob waits
// for it, then the gallery has the images.
func ExampleClient_AddImages() {
	srv := shoptettest.NewServer(shoptettest.WithNaming(shoptettest.NameFromURL), shoptettest.WithClock(shopimgtest.NewClock(time.Now()))) // job polls wait on the test clock
	defer srv.Close()
	guid := shoptet.ProductGUID(srv.AddProduct())
	client, err := srv.NewClient()
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	jobs, _, err := client.AddImages(ctx, guid, shoptet.GalleryShop, []shoptet.NewImage{
		{SourceURL: "https://img.example.com/front.jpg", Priority: 10, Description: "Front"},
		{SourceURL: "https://img.example.com/back.v2.jpg", Priority: 20},
	})
	if err != nil {
		panic(err)
	}
	job, _, err := client.WaitJob(ctx, jobs[0], nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("job", job.Status)
	imgs, _, err := client.ListImages(ctx, guid, shoptet.GalleryShop)
	if err != nil {
		panic(err)
	}
	for _, img := range imgs {
		fmt.Println(img.Name, *img.Priority, img.IsMainImage)
	}
	// Output:
	// job completed
	// front.jpg 10 true
	// back.v2.jpg 20 false
}

// UpdateImages reports every row: Shoptet answers 200 and lists the rows
// it skipped among the errors.
func ExampleClient_UpdateImages() {
	srv := shoptettest.NewServer()
	defer srv.Close()
	guid := shoptet.ProductGUID(srv.AddProduct(shoptettest.Image{Name: "1.jpg", Priority: new(1)}))
	client, err := srv.NewClient()
	if err != nil {
		panic(err)
	}
	res, _, err := client.UpdateImages(context.Background(), guid, "", []shoptet.ImageUpdate{
		{Name: "1.jpg", Description: new("Front")},
		{Name: "gone.jpg", Priority: 5},
	})
	if err != nil {
		panic(err)
	}
	for _, row := range res.Rows {
		fmt.Println(row.Name, row.Status)
	}
	// Output:
	// 1.jpg updated
	// gone.jpg failed
}

// The adapter: the common model on a product's "shop" gallery.
func ExampleClient_ProductImages() {
	srv := shoptettest.NewServer()
	defer srv.Close()
	guid := srv.AddProduct(
		shoptettest.Image{Name: "1.jpg", Priority: new(10)},
		shoptettest.Image{Name: "2.jpg", Priority: new(20)},
	)
	client, err := srv.NewClient()
	if err != nil {
		panic(err)
	}
	images := client.ProductImages()
	ctx := context.Background()
	if err := images.Reorder(ctx, guid, []string{"2.jpg", "1.jpg"}); err != nil {
		panic(err)
	}
	if _, err := images.Update(ctx, guid, "1.jpg", shopimg.ImageUpdate{Alt: new("Back")}); err != nil {
		panic(err)
	}
	list, err := images.List(ctx, guid)
	if err != nil {
		panic(err)
	}
	for _, img := range list {
		fmt.Printf("%d %s main=%v alt=%q\n", img.Position, img.ID, img.Main, img.Alt)
	}
	// Output:
	// 0 2.jpg main=true alt=""
	// 1 1.jpg main=false alt="Back"
}

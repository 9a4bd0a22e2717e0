package shopimgtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
)

// A Fake restricted to a platform's capabilities refuses what that platform
// cannot do, and counts the calls the platform would have needed.
func ExampleNewFake() {
	ctx := context.Background()
	fake := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.BigCommerceProfile))
	imgs := fake.Seed("111", shopimg.Image{Alt: "a"}, shopimg.Image{Alt: "b"}, shopimg.Image{Alt: "c"})

	// Moving the last image first costs one sort_order PUT on BigCommerce.
	err := fake.Reorder(ctx, "111", []string{imgs[2].ID, imgs[0].ID, imgs[1].ID})
	fmt.Println(err, fake.Writes())
	// Output: <nil> 1
}

// Inject a fault whose write happens although the caller sees an error: the
// hardest case for code that must not add an image twice.
func ExampleFake_Inject() {
	ctx := context.Background()
	fake := shopimgtest.NewFake()
	fake.AddProduct("p")
	fake.Inject(shopimgtest.Fault{
		Call:  shopimgtest.CallAdd,
		Err:   fmt.Errorf("connection reset: %w", shopimg.ErrOutcomeUnknown),
		Apply: true,
	})

	_, err := fake.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://cdn.example.com/a.jpg"})
	fmt.Println(errors.Is(err, shopimg.ErrOutcomeUnknown), len(fake.Images("p")))
	// Output: true 1
}

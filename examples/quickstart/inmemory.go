package main

import "github.com/shopimg/shopimg/shopimgtest"

// inMemoryStore is the in-memory Fake from shopimgtest, with every capability.
func inMemoryStore() (store, error) {
	f := shopimgtest.NewFake()
	f.AddProduct("demo-product")
	return store{name: "in-memory fake (shopimgtest)", images: f, productID: "demo-product", close: func() {}}, nil
}

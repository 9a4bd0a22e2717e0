package main

import (
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
)

// finerWorksStore is FinerWorks on its fake server: the product is the
// account's inventory image library, which has no order and no main image.
// On a real account the client comes from finerworks.NewClient(
// finerworks.Credentials{WebAPIKey: ..., AppKey: ...}).
func finerWorksStore() (store, error) {
	srv := finerworkstest.NewServer()
	client, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return store{}, err
	}
	return store{name: "FinerWorks (finerworkstest fake)", images: client.ProductImages(), productID: finerworks.Inventory.String(), close: srv.Close}, nil
}

package main

import (
	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/salla/sallatest"
)

// sallaStore is Salla (Merchant API v2) on its fake server. On a real
// store the client comes from salla.NewClient(ts), ts being a
// salla.TokenSource over the merchant's OAuth token (salla.OAuthConfig and
// salla.Exchange get the first one; the source refreshes it and hands each
// new one to a save hook).
func sallaStore() (store, error) {
	srv := sallatest.NewServer()
	srv.AddProduct(111, "SHOE-111")
	client, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return store{}, err
	}
	return store{name: "Salla (sallatest fake)", images: client.ProductImages(), productID: salla.ProductID(111).String(), close: srv.Close}, nil
}

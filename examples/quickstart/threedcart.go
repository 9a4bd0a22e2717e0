package main

import (
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// threeDCartStore is 3dcart / Shift4Shop on its fake server. On a real store
// the client comes from threedcart.NewClient(threedcart.Credentials{
// SecureURL: ..., PrivateKey: ..., Token: ...}).
func threeDCartStore() (store, error) {
	srv := threedcarttest.NewServer()
	srv.AddProduct(1001)
	client, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return store{}, err
	}
	return store{name: "3dcart / Shift4Shop (threedcarttest fake)", images: client.ProductImages(), productID: threedcart.CatalogID(1001).String(), close: srv.Close}, nil
}

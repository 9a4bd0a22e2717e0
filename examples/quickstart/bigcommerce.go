package main

import (
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
)

// bigCommerceStore is BigCommerce (v3 catalog API) on its fake server. On a
// real store the client comes from bigcommerce.NewClient(storeHash,
// accessToken), the store hash being the {store_hash} of
// https://api.bigcommerce.com/stores/{store_hash}/v3 and the token an API
// account's access token.
func bigCommerceStore() (store, error) {
	srv := bigcommercetest.NewServer()
	srv.AddProduct(111)
	client, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return store{}, err
	}
	return store{name: "BigCommerce v3 (bigcommercetest fake)", images: client.ProductImages(), productID: bigcommerce.ProductID(111).String(), close: srv.Close}, nil
}

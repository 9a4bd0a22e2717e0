package main

import (
	"time"

	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// shoptetStore is Shoptet on its fake server. Adds are asynchronous jobs
// the client polls; the fake and the client share a test clock, so the
// polls' waits take no time. On a real e-shop the client comes from
// shoptet.NewClient(shoptet.Credentials{PrivateAPIToken: ...}), or, for an
// addon, with AccessTokens from shoptet.NewAccessTokenSource(eshopURL,
// oauthAccessToken), and the e-shop must have the job:finished webhook
// registered.
func shoptetStore() (store, error) {
	clock := shopimgtest.NewClock(time.Now())
	srv := shoptettest.NewServer(shoptettest.WithClock(clock), shoptettest.WithNaming(shoptettest.NameFromURL))
	guid := srv.AddProduct()
	client, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return store{}, err
	}
	return store{name: "Shoptet (shoptettest fake)", images: client.ProductImages(), productID: guid, close: srv.Close}, nil
}

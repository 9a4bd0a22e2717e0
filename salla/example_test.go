package salla_test

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/salla/sallatest"
)

// The common interface on a Salla store (here the fake one): add images,
// put the last one first, and list the gallery in display order. A video
// in the gallery is not listed, and keeps its place.
func Example() {
	srv := sallatest.NewServer(sallatest.WithFirstID(1001))
	defer srv.Close()
	srv.AddProduct(7, "DR-7", sallatest.Item{Type: "video", VideoURL: "https://youtube.example.com/watch?v=1", Sort: 1})

	// For a real store: salla.NewClient(tokenSource) with a *salla.TokenSource.
	client, err := srv.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	images := client.ProductImages()
	ctx := context.Background()
	var ids []string
	for _, name := range []string{"front", "side", "back"} {
		img, err := images.Add(ctx, "7", shopimg.NewImage{SourceURL: "https://pim.example.com/" + name + ".jpg", Alt: name})
		if err != nil {
			fmt.Println(err)
			return
		}
		ids = append(ids, img.ID)
	}
	if err := images.Reorder(ctx, "7", []string{ids[2], ids[0], ids[1]}); err != nil {
		fmt.Println(err)
		return
	}
	list, _ := images.List(ctx, "7")
	for _, img := range list {
		fmt.Println(img.Position, img.ID, img.Alt, img.Main, img.URL)
	}
	// Output:
	// 0 1004 back true https://cdn.salla.sa/fake/1004-back.jpg
	// 1 1002 front false https://cdn.salla.sa/fake/1002-front.jpg
	// 2 1003 side false https://cdn.salla.sa/fake/1003-side.jpg
}

// A long-running app keeps the merchant's token in a TokenSource, which
// refreshes it once however many goroutines need it, and hands every new
// token to the save hook before using it (Salla's refresh tokens are
// single-use).
func ExampleNewTokenSource() {
	srv := sallatest.NewServer()
	defer srv.Close()
	srv.AddProduct(7, "")

	// For a real app: cfg := salla.OAuthConfig(clientID, clientSecret, redirectURL),
	// and the first token from salla.Exchange(ctx, cfg, code, nil).
	cfg := srv.OAuthConfig("https://app.example.com/callback")
	expired := srv.IssueToken(srv.Clock().Now().Add(-1)) // as saved, now expired
	save := func(_ context.Context, tok *oauth2.Token) error {
		fmt.Println("saved a new token; it has a refresh token:", tok.RefreshToken != "")
		return nil // write it to the app's database here
	}
	ts, err := salla.NewTokenSource(cfg, expired, save, salla.WithTokenHTTPClient(srv.Accounts.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	client, _ := srv.NewClientWith(ts)
	list, err := client.ProductImages().List(context.Background(), "7")
	fmt.Println(len(list), err, srv.Refreshes())
	// Output:
	// saved a new token; it has a refresh token: true
	// 0 <nil> 1
}

// A refresh token used twice revokes the merchant's tokens: the error says
// the merchant must authorize the app again.
func ExampleTokenError() {
	srv := sallatest.NewServer()
	defer srv.Close()
	tok := srv.IssueToken(srv.Clock().Now().Add(-1))
	nop := func(context.Context, *oauth2.Token) error { return nil }
	first, _ := salla.NewTokenSource(srv.OAuthConfig(""), tok, nop, salla.WithTokenHTTPClient(srv.Accounts.Client()))
	second, _ := salla.NewTokenSource(srv.OAuthConfig(""), tok, nop, salla.WithTokenHTTPClient(srv.Accounts.Client()))
	_, err := first.Token()
	fmt.Println(err)
	_, err = second.Token() // another process with the same, now used, refresh token
	fmt.Println(errors.Is(err, shopimg.ErrUnauthorized))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// salla: refreshing the access token: invalid_grant: the merchant's grant was revoked (a refresh token was used twice, or the app was uninstalled): the merchant must authorize the app again (The refresh token was already used; the merchant's tokens are revoked.)
}

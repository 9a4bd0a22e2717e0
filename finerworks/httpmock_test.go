package finerworks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/shopimgtest"
)

// TestTwelveImagesAreThreeAddImagesCalls pins, with httpmock on the
// injected client, the exact requests of one typed AddImages call of 12
// images: three POSTs to https://api.finerworks.com/v3/add_images carrying
// 5, 5 and 2 images, each with the keys in headers spelled web_api_key and
// app_key (not Go's canonical Web_api_key), JSON, and the library.
func TestTwelveImagesAreThreeAddImagesCalls(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	var (
		mu      sync.Mutex
		sizes   []int
		headers []http.Header
	)
	const url = "https://api.finerworks.com/v3/add_images"
	mock.RegisterResponder(http.MethodPost, url, func(r *http.Request) (*http.Response, error) {
		var body struct {
			Images  []finerworks.AddImage `json:"images"`
			Library finerworks.Library    `json:"library"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return httpmock.NewStringResponse(400, err.Error()), nil
		}
		mu.Lock()
		defer mu.Unlock()
		sizes = append(sizes, len(body.Images))
		headers = append(headers, r.Header.Clone())
		if body.Library.Name != finerworks.Inventory || body.Library.SessionID != "session-0001" || body.Library.SiteID != 2 {
			return httpmock.NewStringResponse(400, `{"Message":"bad library"}`), nil
		}
		return httpmock.NewStringResponse(200, okStatus), nil
	})
	client, err := finerworks.NewClient(finerworks.Credentials{WebAPIKey: "web-key-abcdef", AppKey: "app-key-abcdef"},
		finerworks.WithHTTPClient(&http.Client{Transport: mock}),
		finerworks.WithClock(shopimgtest.NewClock(epoch)),
		finerworks.WithLibrary(finerworks.Library{SessionID: "session-0001", SiteID: 2}))
	if err != nil {
		t.Fatal(err)
	}
	imgs := make([]finerworks.AddImage, 12)
	for i := range imgs {
		imgs[i] = finerworks.AddImage{Title: fmt.Sprint("Print ", i), FileName: fmt.Sprintf("p%d.jpg", i), PrivateHiresURI: fmt.Sprintf("https://cdn.example.com/p%d.jpg", i)}
	}
	if _, _, err := client.AddImages(ctx, "", imgs); err != nil {
		t.Fatal(err)
	}
	if n := mock.GetCallCountInfo()["POST "+url]; n != 3 {
		t.Errorf("%d add_images requests, want 3", n)
	}
	if !slices.Equal(sizes, []int{5, 5, 2}) {
		t.Errorf("the requests carried %v images, want [5 5 2]", sizes)
	}
	for i, h := range headers {
		// httpmock sees the client's own header map: the keys are stored
		// under the exact wire spelling.
		if got := exact(h, "web_api_key"); !slices.Equal(got, []string{"web-key-abcdef"}) {
			t.Errorf("request %d: web_api_key = %q (header map %v)", i, got, keys(h))
		}
		if got := exact(h, "app_key"); !slices.Equal(got, []string{"app-key-abcdef"}) {
			t.Errorf("request %d: app_key = %q", i, got)
		}
		if exact(h, "Web_api_key") != nil {
			t.Errorf("request %d: the key also went out as Web_api_key", i)
		}
		if h.Get("Content-Type") != "application/json" {
			t.Errorf("request %d: Content-Type %q", i, h.Get("Content-Type"))
		}
	}
}

// exact returns the values stored under the header name spelled exactly
// so (http.Header.Get would canonicalise it).
func exact(h http.Header, name string) []string {
	for k, v := range h {
		if k == name {
			return v
		}
	}
	return nil
}

func keys(h http.Header) []string {
	var out []string
	for k := range h {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

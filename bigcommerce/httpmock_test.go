package bigcommerce_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/shopimgtest"
)

// TestHTTPMockRecipe is README's "Testing your code" recipe: httpmock on the
// *http.Client given to WithHTTPClient (never the global Activate), a fake
// clock so a retry costs no time, and the exact request of a typed call
// pinned. It also shows that activating the mock after NewClient works: the
// client looks the transport up at every request. Not parallel: httpmock's
// Activate functions share one mock transport (a test that must run in
// parallel gives WithHTTPClient a client on its own httpmock.NewMockTransport).
func TestHTTPMockRecipe(t *testing.T) {
	hc := &http.Client{}
	client, err := bigcommerce.NewClient("abc123", "test-token",
		bigcommerce.WithHTTPClient(hc),
		bigcommerce.WithClock(shopimgtest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))),
	)
	if err != nil {
		t.Fatal(err)
	}
	httpmock.ActivateNonDefault(hc) // after NewClient: still intercepted
	t.Cleanup(func() { httpmock.DeactivateAndReset() })
	const url = "https://api.bigcommerce.com/stores/abc123/v3/catalog/products/111/images/5"
	httpmock.RegisterResponder(http.MethodPut, url,
		httpmock.NewStringResponder(503, `{"status":503,"title":"busy"}`).Times(1).
			Then(func(r *http.Request) (*http.Response, error) {
				if r.Header.Get("X-Auth-Token") != "test-token" {
					return httpmock.NewStringResponse(401, `{"status":401,"title":"no token"}`), nil
				}
				return httpmock.NewJsonResponse(200, map[string]any{"data": map[string]any{"id": 5, "product_id": 111, "description": "Side view", "sort_order": 2}})
			}))
	img, resp, err := client.UpdateImage(context.Background(), 111, 5, bigcommerce.UpdateImageRequest{Description: new("Side view")})
	if err != nil {
		t.Fatal(err)
	}
	if img.Description != "Side view" || resp.StatusCode != 200 || resp.Attempts != 2 {
		t.Errorf("got %+v, status %d after %d attempts; want the updated image after one retry", img, resp.StatusCode, resp.Attempts)
	}
	if n := httpmock.GetCallCountInfo()["PUT "+url]; n != 2 {
		t.Errorf("PUT sent %d times, want 2", n)
	}
	// A call nobody registered: httpmock answers with an error, which the
	// client reports as the platform being unreachable (no retry helps).
	_, _, err = client.GetImage(context.Background(), 111, 6)
	if err == nil || errors.Is(err, shopimg.ErrOutcomeUnknown) {
		t.Errorf("GetImage of an unregistered URL: err = %v", err)
	}
}

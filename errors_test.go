package shopimg_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
)

var sentinels = []error{
	shopimg.ErrNotFound, shopimg.ErrUnauthorized, shopimg.ErrRateLimited, shopimg.ErrInvalidInput,
	shopimg.ErrUnsupported, shopimg.ErrConflict, shopimg.ErrUnavailable, shopimg.ErrOutcomeUnknown, shopimg.ErrAdded,
}

// matching returns the sentinels err matches.
func matching(err error) []error {
	var out []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestEveryStatusHasACategory: an APIError of any status matches exactly
// one category, so "every failure matches a sentinel" holds.
func TestEveryStatusHasACategory(t *testing.T) {
	t.Parallel()
	want := map[int]error{
		401: shopimg.ErrUnauthorized, 403: shopimg.ErrUnauthorized,
		404: shopimg.ErrNotFound, 410: shopimg.ErrNotFound, 409: shopimg.ErrConflict,
		429: shopimg.ErrRateLimited, 408: shopimg.ErrUnavailable, 423: shopimg.ErrUnavailable,
	}
	for status := 100; status < 600; status++ {
		w := want[status]
		switch {
		case w != nil:
		case status >= 500 || status < 400:
			w = shopimg.ErrUnavailable
		default:
			w = shopimg.ErrInvalidInput
		}
		got := matching(&shopimg.APIError{StatusCode: status})
		if len(got) != 1 || got[0] != w {
			t.Errorf("a %d APIError matches %v, want only %v", status, got, w)
		}
	}
}

// TestSentinelsAreExclusive: each error type matches exactly its category.
func TestSentinelsAreExclusive(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		err  error
		want []error
	}{
		"InputError":       {&shopimg.InputError{Field: "imageIDs", Reason: "is empty"}, []error{shopimg.ErrInvalidInput}},
		"UnsupportedError": {&shopimg.UnsupportedError{Platform: "threedcart", Operation: "delete image"}, []error{shopimg.ErrUnsupported}},
		"APIError 404":     {&shopimg.APIError{StatusCode: 404}, []error{shopimg.ErrNotFound}},
		"APIError Kind":    {&shopimg.APIError{StatusCode: 400, Kind: shopimg.ErrConflict}, []error{shopimg.ErrConflict}},
		"APIError 503":     {&shopimg.APIError{StatusCode: 503}, []error{shopimg.ErrUnavailable}},
		// The image exists: the cause's category must not invite a retry.
		"AddedError": {&shopimg.AddedError{Image: shopimg.Image{ID: "7"}, Step: "move it", Err: &shopimg.APIError{StatusCode: 429}}, []error{shopimg.ErrAdded}},
	}
	for name, tc := range cases {
		if diff := cmp.Diff(tc.want, matching(tc.err), cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
			t.Errorf("%s matches (-want +got):\n%s", name, diff)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	got := []string{
		(&shopimg.InputError{Field: "productID", Reason: "is empty"}).Error(),
		(&shopimg.UnsupportedError{Platform: "finerworks", Operation: "reorder images"}).Error(),
		(&shopimg.APIError{StatusCode: 500}).Error(),
		(&shopimg.APIError{Platform: "salla", StatusCode: 404, Message: "Not Found", Details: []shopimg.FieldError{{Message: "product"}}}).Error(),
		(&shopimg.APIError{Platform: "shoptet", Method: "GET", Path: "/api/x", StatusCode: 503, RequestID: "r1", Attempts: 5}).Error(),
		(&shopimg.AddedError{Image: shopimg.Image{ID: "7", ProductID: "9"}, Step: "move it to position 2", Err: errors.New("429")}).Error(),
	}
	want := []string{
		"shopimg: invalid input: productID is empty",
		"finerworks: reorder images is unsupported",
		"500 Internal Server Error",
		"salla: 404 Not Found: Not Found (product)",
		"shoptet: GET /api/x: 503 Service Unavailable (request r1) (after 5 attempts)",
		"shopimg: image 7 was added to product 9, but could not move it to position 2: 429",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

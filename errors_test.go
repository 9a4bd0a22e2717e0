package shopimg_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
)

func TestKindForStatus(t *testing.T) {
	t.Parallel()
	want := map[int]error{
		400: shopimg.ErrInvalidInput, 401: shopimg.ErrUnauthorized, 403: shopimg.ErrUnauthorized,
		404: shopimg.ErrNotFound, 409: shopimg.ErrConflict, 410: shopimg.ErrNotFound,
		413: shopimg.ErrInvalidInput, 422: shopimg.ErrInvalidInput, 429: shopimg.ErrRateLimited,
	}
	for status := 100; status < 600; status++ {
		if got := shopimg.KindForStatus(status); got != want[status] {
			t.Errorf("KindForStatus(%d) = %v, want %v", status, got, want[status])
		}
		if e := (&shopimg.APIError{StatusCode: status}); want[status] != nil && !errors.Is(e, want[status]) {
			t.Errorf("a %d APIError does not match %v", status, want[status])
		}
	}
}

// TestSentinelsAreExclusive: each error type matches exactly its category.
func TestSentinelsAreExclusive(t *testing.T) {
	t.Parallel()
	sentinels := []error{shopimg.ErrNotFound, shopimg.ErrUnauthorized, shopimg.ErrRateLimited, shopimg.ErrInvalidInput, shopimg.ErrUnsupported, shopimg.ErrConflict, shopimg.ErrOutcomeUnknown}
	matching := func(err error) []error {
		var out []error
		for _, s := range sentinels {
			if errors.Is(err, s) {
				out = append(out, s)
			}
		}
		return out
	}
	cases := map[string]struct {
		err  error
		want []error
	}{
		"InputError":       {&shopimg.InputError{Field: "imageIDs", Reason: "is empty"}, []error{shopimg.ErrInvalidInput}},
		"UnsupportedError": {&shopimg.UnsupportedError{Platform: "threedcart", Operation: "delete image"}, []error{shopimg.ErrUnsupported}},
		"APIError 404":     {&shopimg.APIError{StatusCode: 404}, []error{shopimg.ErrNotFound}},
		"APIError Kind":    {&shopimg.APIError{StatusCode: 400, Kind: shopimg.ErrConflict}, []error{shopimg.ErrConflict}},
		"APIError 503":     {&shopimg.APIError{StatusCode: 503}, nil},
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
	}
	want := []string{
		"shopimg: invalid input: productID is empty",
		"finerworks: reorder images is unsupported",
		"500 Internal Server Error",
		"salla: 404 Not Found: Not Found (product)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

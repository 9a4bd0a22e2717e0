package shoptet_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shoptet"
)

const imagesPath = "/api/products/95b84d4b-7481-11e8-8216-002590dad85e/images/shop"

// TestListImagesSendsAndDecodes pins the request (method, path, the token
// header spelled as the spec spells it, Content-Type, no query) and decodes
// the spec's example into the typed images.
func TestListImagesSendsAndDecodes(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	m.on(http.MethodGet, imagesPath, ok(loadFixture(t, "images_list.json")))
	imgs, resp, err := m.client.ListImages(ctx, mockGUID, "")
	if err != nil {
		t.Fatal(err)
	}
	r := m.reqs[0]
	if got := r.Header["Shoptet-Private-Api-Token"]; len(got) != 1 || got[0] != mockToken {
		t.Errorf("token header = %q (map %v), want it spelled Shoptet-Private-Api-Token", got, r.Header)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if r.URL.RawQuery != "" {
		t.Errorf("query = %q, want none", r.URL.RawQuery)
	}
	want := []shoptet.Image{
		{
			Name: "106.png", Priority: new(10), Description: "shamrock 2115611 640", ChangeTime: tm("2018-05-29T09:02:27+0200"),
			SeoName: "106_shamrock-2115611-640.png", CdnName: "106_shamrock-2115611-640.png?ff=1&x=1024&y=768&q=85&ts=5b2a41f5&sg=cce48299",
			SignedCdnNames: []shoptet.SignedCdnName{
				{Type: "big", Name: "106_shamrock-2115611-640.png?ff=1&x=1024&y=768&q=85&ts=5b2a41f5&sg=cce48299"},
				{Type: "detail", Name: "106_shamrock-2115611-640.png?ff=1&x=423&y=318&q=85&ts=5b2a41f5&sg=265606b9"},
			},
			IsMainImage: true, Gallery: "shop",
		},
		{
			Name: "product-image-1.jpg", SeoName: "100_purple-apple.jpg", CdnName: "100_purple-apple.jpg?ff=1&x=1024&y=768&q=85&ts=59393c3a&sg=df3f0411",
			Gallery: "shop",
		},
	}
	if d := cmp.Diff(want, imgs); d != "" {
		t.Errorf("images (-want +got):\n%s", d)
	}
	if resp.RequestID != "hdr-request-id" || resp.StatusCode != 200 {
		t.Errorf("response = %+v", resp)
	}
	if imgs[0].CdnNameFor("detail") == "" || imgs[1].CdnNameFor("big") != imgs[1].CdnName || imgs[1].CdnNameFor("detail") != "" {
		t.Error("CdnNameFor does not read the signed names")
	}
}

// TestAddImagesSplitsAtHundred sends 150 images as two POSTs of 100 and 50,
// each body exactly the spec's shape, and returns both jobs.
func TestAddImagesSplitsAtHundred(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	m.on(http.MethodPost, imagesPath, answer{status: 202, body: loadFixture(t, "images_add.json")})
	imgs := make([]shoptet.NewImage, 150)
	for i := range imgs {
		imgs[i] = shoptet.NewImage{SourceURL: fmt.Sprintf("https://img.example.com/%d.jpg", i)}
	}
	imgs[0].Priority, imgs[0].Description = 3, "Dobrá čokoláda"
	jobs, _, err := m.client.AddImages(ctx, mockGUID, shoptet.GalleryShop, imgs)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]shoptet.JobID{"ad24xod", "ad24xod"}, jobs); d != "" {
		t.Errorf("jobs (-want +got):\n%s", d)
	}
	var sizes []int
	for _, b := range m.bodies {
		var body struct {
			Data struct{ Images []map[string]any } `json:"data"`
		}
		if err := json.Unmarshal([]byte(b), &body); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(body.Data.Images))
	}
	if d := cmp.Diff([]int{100, 50}, sizes); d != "" {
		t.Errorf("rows per POST (-want +got):\n%s", d)
	}
	if want := `{"data":{"images":[{"sourceUrl":"https://img.example.com/0.jpg","priority":3,"description":"Dobrá čokoláda"},{"sourceUrl":"https://img.example.com/1.jpg"},`; !strings.HasPrefix(m.bodies[0], want) {
		t.Errorf("body = %.200s, want it to start %s", m.bodies[0], want)
	}
}

// TestUpdateImagesReportsEveryRow decodes the spec's update answer with a
// skipped row in errors.
func TestUpdateImagesReportsEveryRow(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	m.on(http.MethodPatch, imagesPath, ok(loadFixture(t, "images_update.json")))
	rows := []shoptet.ImageUpdate{
		{Name: "100_purple-apple.jpg", Priority: 10, Description: new("Fresh purple apple for Snow White")},
		{Name: "127.png", Description: new("Dobrá čokoláda")},
		{Name: "128.png", Priority: 3},
	}
	res, _, err := m.client.UpdateImages(ctx, mockGUID, "", rows)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"data":{"images":[{"name":"100_purple-apple.jpg","priority":10,"description":"Fresh purple apple for Snow White"},{"name":"127.png","description":"Dobrá čokoláda"},{"name":"128.png","priority":3}]}}`; m.bodies[0] != want {
		t.Errorf("body = %s\nwant   %s", m.bodies[0], want)
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, fmt.Sprintf("%s=%v", r.Name, r.Status))
	}
	if d := cmp.Diff([]string{"100_purple-apple.jpg=updated", "127.png=failed", "128.png=unreported"}, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	if res.Rows[1].Error == nil || res.Rows[1].Error.ErrorCode != "example-error-code" {
		t.Errorf("failed row's error = %+v", res.Rows[1].Error)
	}
	if len(res.Failed()) != 2 || len(res.Errors) != 1 || len(res.Images) != 1 {
		t.Errorf("result = %+v", res)
	}
}

// TestDeleteImageEscapesTheName sends a name with spaces, '#', '?' and
// dots as one escaped segment, and removeReference only when asked.
func TestDeleteImageEscapesTheName(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	m.mock.RegisterRegexpResponder(http.MethodDelete, regexpAll, func(r *http.Request) (*http.Response, error) {
		m.reqs = append(m.reqs, r)
		return respond(200, envelope(nil)), nil
	})
	if _, err := m.client.DeleteImage(ctx, mockGUID, "", "summer shoes #1?.v2.jpg", &shoptet.DeleteOptions{RemoveReference: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.client.DeleteImage(ctx, mockGUID, shoptet.Gallery360, "a.b.c.png", nil); err != nil {
		t.Fatal(err)
	}
	if got, want := m.reqs[0].URL.EscapedPath(), imagesPath+"/summer%20shoes%20%231%3F.v2.jpg"; got != want {
		t.Errorf("path = %s, want %s", got, want)
	}
	if q := m.reqs[0].URL.RawQuery; q != "removeReference=true" {
		t.Errorf("query = %q", q)
	}
	if got := m.reqs[1].URL.EscapedPath(); got != "/api/products/95b84d4b-7481-11e8-8216-002590dad85e/images/shop360/a.b.c.png" || m.reqs[1].URL.RawQuery != "" {
		t.Errorf("second delete = %s?%s", got, m.reqs[1].URL.RawQuery)
	}
}

// TestDeleteGalleryReturnsSkippedImages decodes the spec's example.
func TestDeleteGalleryReturnsSkippedImages(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	m.on(http.MethodDelete, imagesPath, ok(loadFixture(t, "images_delete_gallery.json")))
	errs, _, err := m.client.DeleteGallery(ctx, mockGUID, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]shoptet.Error{{ErrorCode: "example-error-code", Message: "Example error message", Instance: "instance"}}, errs); d != "" {
		t.Errorf("errors (-want +got):\n%s", d)
	}
}

// TestErrorShapes maps each documented error answer to its category, with
// the envelope's code, message and request ID.
func TestErrorShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		method   string
		status   int
		body     []byte
		kind     error
		code     string
		contains string
		webhook  bool
	}{
		{"expired token", http.MethodGet, 401, loadFixture(t, "error_expired_token_401.json"), shopimg.ErrUnauthorized, "expired-token", "Token is expired", false},
		{"missing token", http.MethodGet, 401, loadFixture(t, "error_missing_token_401.json"), shopimg.ErrUnauthorized, "missing-access-token", "Missing access token", false},
		{"no rights", http.MethodPost, 403, loadFixture(t, "error_no_rights_403.json"), shopimg.ErrUnauthorized, "invalid-token-no-rights", "no defined rights", false},
		{"webhook missing", http.MethodPost, 403, envelope(nil, shoptet.Error{ErrorCode: "job-finished-webhook-missing", Message: "Webhook job:finished must be registered.", Instance: "webhook"}), shopimg.ErrUnauthorized, "job-finished-webhook-missing", "until the e-shop registers the job:finished webhook", true},
		{"webhook missing, unknown code", http.MethodPost, 403, envelope(nil, shoptet.Error{ErrorCode: "forbidden", Message: "Forbidden.", Instance: "unknown"}), shopimg.ErrUnauthorized, "forbidden", "job:finished webhook", true},
		{"too many rows", http.MethodPatch, 413, envelope(nil, shoptet.Error{ErrorCode: "too-many-items", Message: "At most 100.", Instance: "unknown"}), shopimg.ErrInvalidInput, "too-many-items", "At most 100", false},
		{"schema", http.MethodPatch, 422, envelope(nil, shoptet.Error{ErrorCode: "invalid-request-data", Message: "Bad JSON.", Instance: "unknown"}), shopimg.ErrInvalidInput, "invalid-request-data", "Bad JSON", false},
		{"item validation", http.MethodPatch, 400, envelope(nil, shoptet.Error{ErrorCode: "invalid-priority", Message: "priority 0", Instance: "a.jpg"}, shoptet.Error{ErrorCode: "invalid-priority", Message: "priority -1", Instance: "b.jpg"}), shopimg.ErrInvalidInput, "invalid-priority", "priority 0", false},
		{"server error", http.MethodGet, 500, []byte("<html><head><title>500 Internal Server Error</title></head></html>"), shopimg.ErrUnavailable, "", "HTML error page", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMocked(t)
			m.on(tc.method, imagesPath, answer{status: tc.status, body: tc.body})
			var err error
			switch tc.method {
			case http.MethodGet:
				_, _, err = m.client.ListImages(ctx, mockGUID, "")
			case http.MethodPost:
				_, _, err = m.client.AddImages(ctx, mockGUID, "", []shoptet.NewImage{{SourceURL: "https://img.example.com/a.jpg"}})
			case http.MethodPatch:
				_, _, err = m.client.UpdateImages(ctx, mockGUID, "", []shoptet.ImageUpdate{{Name: "a.jpg", Priority: 1}})
			}
			var ae *shoptet.APIError
			if !errors.As(err, &ae) || !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want an *APIError matching %v", err, tc.kind)
			}
			if ae.Code != tc.code || !strings.Contains(ae.Message, tc.contains) {
				t.Errorf("code %q message %q, want %q and %q", ae.Code, ae.Message, tc.code, tc.contains)
			}
			if tc.code != "" && ae.RequestID != "019c8c34-64f3-7328-af43-bf1e34fa39d7" && ae.RequestID != "req-1" {
				t.Errorf("request ID = %q, want the envelope's", ae.RequestID)
			}
			if got := shoptet.IsWebhookNotRegistered(err); got != tc.webhook {
				t.Errorf("IsWebhookNotRegistered = %v, want %v", got, tc.webhook)
			}
			if tc.method == http.MethodPost && errors.Is(err, shopimg.ErrOutcomeUnknown) {
				t.Errorf("a 4xx refusal of a create matches ErrOutcomeUnknown: %v", err)
			}
		})
	}
}

// TestDeleteConflictIsExplained: the 409 of an image a variant uses says
// what to do.
func TestDeleteConflictIsExplained(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	m.on(http.MethodDelete, imagesPath+"/a.jpg", answer{status: 409, body: envelope(nil, shoptet.Error{ErrorCode: "image-used", Message: "Image is used.", Instance: "a.jpg"})})
	_, err := m.client.DeleteImage(ctx, mockGUID, "", "a.jpg", nil)
	var ae *shoptet.APIError
	if !errors.Is(err, shopimg.ErrConflict) || !errors.As(err, &ae) || !strings.Contains(ae.Message, "removeReference=true") {
		t.Errorf("err = %v, want ErrConflict explaining removeReference", err)
	}
}

// TestLockedWritesAreRetried: a 423 (the same request is being processed)
// is retried for every write, creates included, and then succeeds.
func TestLockedWritesAreRetried(t *testing.T) {
	t.Parallel()
	locked := answer{status: 423, body: envelope(nil, shoptet.Error{ErrorCode: "locked", Message: "Locked.", Instance: "x"})}
	m := newMocked(t)
	m.on(http.MethodPost, imagesPath, locked, answer{status: 202, body: loadFixture(t, "images_add.json")})
	m.on(http.MethodPatch, imagesPath, locked, ok(loadFixture(t, "images_update.json")))
	jobs, resp, err := m.client.AddImages(ctx, mockGUID, "", []shoptet.NewImage{{SourceURL: "https://img.example.com/a.jpg"}})
	if err != nil || len(jobs) != 1 || resp.Attempts != 2 {
		t.Errorf("AddImages after a 423 = %v, %+v, %v; want the job after 2 attempts", jobs, resp, err)
	}
	_, resp, err = m.client.UpdateImages(ctx, mockGUID, "", []shoptet.ImageUpdate{{Name: "a.jpg", Priority: 1}})
	if err != nil || resp.Attempts != 2 {
		t.Errorf("UpdateImages after a 423 = %+v, %v; want success after 2 attempts", resp, err)
	}
}

// TestRateLimitHeaders: the bucket's filling is reported, and a 429's
// Retry-After HTTP date is waited out on the client's clock.
func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	retry := epoch.Add(3 * time.Second).Format(http.TimeFormat)
	full := answer{status: 429, body: envelope(nil, shoptet.Error{ErrorCode: "rate-limit", Message: "Slow down.", Instance: "unknown"}), header: map[string]string{"Retry-After": retry, "X-RateLimit-Bucket-Filling": "200/200"}}
	m.on(http.MethodGet, imagesPath, full, answer{status: 200, body: loadFixture(t, "images_list.json"), header: map[string]string{"X-RateLimit-Bucket-Filling": "150/200"}})
	_, resp, err := m.client.ListImages(ctx, mockGUID, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := (shopimg.Rate{Known: true, Limit: 200, Remaining: 50}); resp.Rate != want {
		t.Errorf("rate = %+v, want %+v", resp.Rate, want)
	}
	if slept := m.clock.Slept(); slept < 3*time.Second || slept > 4*time.Second {
		t.Errorf("slept %v, want the Retry-After date's 3s (plus jitter)", slept)
	}
}

// TestBadInputSendsNothing: malformed arguments are refused before any
// request.
func TestBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	long := "https://img.example.com/" + strings.Repeat("a", 2000)
	calls := map[string]func() error{
		"bad GUID":    func() error { _, _, err := m.client.ListImages(ctx, "123", ""); return err },
		"bad gallery": func() error { _, _, err := m.client.ListImages(ctx, mockGUID, "shop3d"); return err },
		"no images":   func() error { _, _, err := m.client.AddImages(ctx, mockGUID, "", nil); return err },
		"relative URL": func() error {
			_, _, err := m.client.AddImages(ctx, mockGUID, "", []shoptet.NewImage{{SourceURL: "/a.jpg"}})
			return err
		},
		"URL too long": func() error {
			_, _, err := m.client.AddImages(ctx, mockGUID, "", []shoptet.NewImage{{SourceURL: long}})
			return err
		},
		"priority 65536": func() error {
			_, _, err := m.client.AddImages(ctx, mockGUID, "", []shoptet.NewImage{{SourceURL: "https://a.example/a.jpg", Priority: 65536}})
			return err
		},
		"name with slash": func() error { _, err := m.client.DeleteImage(ctx, mockGUID, "", "a/b.jpg", nil); return err },
		"dot name":        func() error { _, err := m.client.DeleteImage(ctx, mockGUID, "", "..", nil); return err },
		"empty update": func() error {
			_, _, err := m.client.UpdateImages(ctx, mockGUID, "", []shoptet.ImageUpdate{{Name: "a.jpg"}})
			return err
		},
		"duplicate rows": func() error {
			_, _, err := m.client.UpdateImages(ctx, mockGUID, "", []shoptet.ImageUpdate{{Name: "a.jpg", Priority: 1}, {Name: "a.jpg", Priority: 2}})
			return err
		},
		"control in text": func() error {
			_, _, err := m.client.UpdateImages(ctx, mockGUID, "", []shoptet.ImageUpdate{{Name: "a.jpg", Description: new("a\x00b")}})
			return err
		},
		"source priority": func() error {
			_, _, err := m.client.ReplaceImageSources(ctx, mockGUID, "", []shoptet.SourceReplacement{{Name: "a.jpg", SourceURL: "https://a.example/b.jpg", Priority: 100000}})
			return err
		},
		"empty job ID":     func() error { _, _, err := m.client.GetJob(ctx, ""); return err },
		"job ID w/ slash":  func() error { _, _, err := m.client.WaitJob(ctx, "a/b", nil); return err },
		"bad wait":         func() error { _, _, err := m.client.WaitJob(ctx, "j1", &shoptet.JobWait{}); return err },
		"adapter bad GUID": func() error { _, err := m.client.ProductImages().List(ctx, "not-a-guid"); return err },
		"adapter file add": func() error {
			_, err := m.client.ProductImages().Add(ctx, string(mockGUID), shopimg.NewImage{File: shopimg.FileFromBytes("a.png", []byte("x"))})
			if !errors.Is(err, shopimg.ErrUnsupported) {
				return fmt.Errorf("want ErrUnsupported: %w", err)
			}
			return shopimg.ErrInvalidInput
		},
	}
	for name, call := range calls {
		before := m.mock.GetTotalCallCount()
		if err := call(); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
		if n := m.mock.GetTotalCallCount() - before; n != 0 {
			t.Errorf("%s: %d requests sent", name, n)
		}
	}
	if n := m.mock.GetTotalCallCount(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// TestCredentials checks NewClient's refusal of missing or double
// credentials, and that printing them shows no token.
func TestCredentials(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]shoptet.Credentials{"none": {}, "blank": {PrivateAPIToken: "  "}, "both": {PrivateAPIToken: "x", AccessTokens: staticSource("y")}} {
		if _, err := shoptet.NewClient(c); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	c := shoptet.Credentials{PrivateAPIToken: "secret-token-123"}
	client, err := shoptet.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%#v", c), fmt.Sprintf("%+v", client), fmt.Sprintf("%#v", client)} {
		if strings.Contains(s, "secret") {
			t.Errorf("printed %q", s)
		}
	}
}

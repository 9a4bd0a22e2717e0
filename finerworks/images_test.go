package finerworks_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
)

// captured is one request a harness server saw.
type captured struct {
	method, path string
	body         []byte
}

// recorder answers every request with answer and keeps what it saw.
type recorder struct {
	mu   sync.Mutex
	reqs []captured
}

func (rec *recorder) handler(answer func(n int, r *http.Request) (int, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, captured{r.Method, r.URL.Path, b})
		n := len(rec.reqs)
		rec.mu.Unlock()
		status, body := answer(n, r)
		respond(w, status, body)
	}
}

func (rec *recorder) all() []captured {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.reqs)
}

func always(status int, body string) func(int, *http.Request) (int, string) {
	return func(int, *http.Request) (int, string) { return status, body }
}

// TestRequestsAreTheDocumentedBodies: each call sends the method, path and
// body of the help pages' examples (fixtures), given the same values.
func TestRequestsAreTheDocumentedBodies(t *testing.T) {
	t.Parallel()
	guid := finerworks.ImageGUID("eaedbfbc-aee8-408f-9a80-43bda4e94de7")
	calls := []struct {
		name, method, path, fixture string
		call                        func(c *finerworks.Client) error
	}{
		{"list_images", http.MethodPost, "/v3/list_images", "list_images_request.json", func(c *finerworks.Client) error {
			_, _, err := c.ListImages(ctx, &finerworks.ListImagesRequest{PerPage: 10, SortField: finerworks.SortByID, SortDirection: finerworks.Descending, ListProducts: true})
			return err
		}},
		{"add_images", http.MethodPost, "/v3/add_images", "add_images_request.json", func(c *finerworks.Client) error {
			_, _, err := c.AddImages(ctx, finerworks.Inventory, []finerworks.AddImage{{
				Title: "My Cool Image", Description: "This is a really cool picture.", FileName: "abc.jpg", FileSize: 11000024,
				ThumbnailFileName: "thumbnail.jpg", PreviewFileName: "preview.jpg", HiresFileName: "hires.jpg",
				PublicThumbnailURI: "https://somewhere.com/public_thumbnail_uri.jpg", PublicPreviewURI: "https://somewhere.com/public_preview_uri.jpg",
				PrivateHiresURI: "https://somewhere.com/private_hires_uri.jpg", PixW: 1600, PixH: 2400,
			}})
			return err
		}},
		{"update_images", http.MethodPut, "/v3/update_images", "update_images_request.json", func(c *finerworks.Client) error {
			_, err := c.UpdateImages(ctx, []finerworks.UpdateImage{{GUID: guid, Title: "My Cool Image", Description: "This is a very cool image."}})
			return err
		}},
		{"delete_images", http.MethodDelete, "/v3/delete_images", "delete_images_request.json", func(c *finerworks.Client) error {
			_, err := c.DeleteImages(ctx, finerworks.Inventory, []finerworks.ImageGUID{guid})
			return err
		}},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			h := newHarness(t, rec.handler(always(200, okStatus)))
			if err := tc.call(h.client); err != nil {
				t.Fatal(err)
			}
			reqs := rec.all()
			if len(reqs) != 1 || reqs[0].method != tc.method || reqs[0].path != tc.path {
				t.Fatalf("requests %+v, want one %s %s", reqs, tc.method, tc.path)
			}
			sameJSON(t, tc.name+" body", reqs[0].body, readFixture(t, tc.fixture))
		})
	}
}

func TestTestMyCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp, err := f.client.TestMyCredentials(ctx)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("good keys: %v, %+v", err, resp)
	}
	if reqs := f.srv.Recorder().Requests(); reqs[0].Method != http.MethodGet || reqs[0].Path != finerworkstest.TestCredentialsPath {
		t.Errorf("sent %s %s", reqs[0].Method, reqs[0].Path)
	}
}

// TestBadKeysAreUnauthorized: under both readings of the refusal (the 400
// ModelState shape, a text/html 400), every call fails with a clear error
// matching shopimg.ErrUnauthorized, sent once (a 400 is not retried), and a
// refused add is not an unknown outcome.
func TestBadKeysAreUnauthorized(t *testing.T) {
	t.Parallel()
	for name, reading := range map[string]finerworkstest.AuthFailure{"model-state": finerworkstest.AuthModelState, "html": finerworkstest.AuthHTML} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := finerworkstest.NewServer(finerworkstest.WithAuthFailure(reading), finerworkstest.WithCredentials("right-web-key-000", "right-app-key-000"))
			t.Cleanup(srv.Close)
			c, err := finerworks.NewClient(secretCreds, finerworks.WithBaseURL(srv.URL), finerworks.WithHTTPClient(srv.Client()))
			if err != nil {
				t.Fatal(err)
			}
			errs := map[string]error{}
			_, errs["test_my_credentials"] = c.TestMyCredentials(ctx)
			_, _, errs["list_images"] = c.ListImages(ctx, nil)
			_, _, errs["add_images"] = c.AddImages(ctx, "", []finerworks.AddImage{{FileName: "a.jpg", PrivateHiresURI: "https://img.example.com/a.jpg"}})
			_, errs["update_images"] = c.UpdateImages(ctx, []finerworks.UpdateImage{{GUID: guids(1)[0]}})
			_, errs["delete_images"] = c.DeleteImages(ctx, "", guids(1))
			for call, err := range errs {
				var ae *finerworks.APIError
				if !errors.Is(err, shopimg.ErrUnauthorized) || errors.Is(err, shopimg.ErrOutcomeUnknown) || !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Attempts != 1 {
					t.Errorf("%s: %v, want a 400 sent once matching ErrUnauthorized only", call, err)
					continue
				}
				if msg := err.Error(); !strings.Contains(msg, "credentials") && !strings.Contains(msg, "app_key") {
					t.Errorf("%s: %q does not say the keys were refused", call, msg)
				}
			}
			if n := srv.Recorder().Count("", ""); n != len(errs) {
				t.Errorf("%d requests for %d calls", n, len(errs))
			}
		})
	}
}

// TestSuccessFalseOn200 answers every call with HTTP 200 and success false:
// each is an error with the envelope's status; a refused add (4xx) is not
// an unknown outcome, a failed one (5xx) is; a read is retried after a 5xx
// in the envelope.
func TestSuccessFalseOn200(t *testing.T) {
	t.Parallel()
	env := func(code int) string {
		return fmt.Sprintf(`{"status":{"success":false,"status_code":%d,"message":"It did not work.","debug":{"echo":"x"}}}`, code)
	}
	calls := map[string]func(c *finerworks.Client) error{
		"list_images": func(c *finerworks.Client) error { _, _, err := c.ListImages(ctx, nil); return err },
		"add_images": func(c *finerworks.Client) error {
			_, _, err := c.AddImages(ctx, "", []finerworks.AddImage{{FileName: "a.jpg", PublicPreviewURI: "https://img.example.com/a.jpg"}})
			return err
		},
		"update_images": func(c *finerworks.Client) error {
			_, err := c.UpdateImages(ctx, []finerworks.UpdateImage{{GUID: guids(1)[0]}})
			return err
		},
		"delete_images":       func(c *finerworks.Client) error { _, err := c.DeleteImages(ctx, "", guids(1)); return err },
		"test_my_credentials": func(c *finerworks.Client) error { _, err := c.TestMyCredentials(ctx); return err },
	}
	for name, call := range calls {
		for _, code := range []int{400, 404, 500} {
			t.Run(fmt.Sprintf("%s/%d", name, code), func(t *testing.T) {
				t.Parallel()
				rec := &recorder{}
				h := newHarness(t, rec.handler(always(200, env(code))))
				err := call(h.client)
				var ae *finerworks.APIError
				if !errors.As(err, &ae) || ae.StatusCode != code || ae.Message != "It did not work." {
					t.Fatalf("err = %v, want an APIError %d with the envelope's message", err, code)
				}
				if strings.Contains(string(ae.Body), "echo") || strings.Contains(err.Error(), "debug") {
					t.Errorf("debug shows: %v, body %s", err, ae.Body)
				}
				unknown := errors.Is(err, shopimg.ErrOutcomeUnknown)
				switch {
				case name == "add_images" && code >= 500 && !unknown:
					t.Errorf("a failed add: %v, want ErrOutcomeUnknown", err)
				case name == "add_images" && code < 500 && unknown:
					t.Errorf("a refused add: %v, want no ErrOutcomeUnknown", err)
				}
				wantSent := 1
				if code >= 500 && name != "add_images" {
					wantSent = 3 // retried, MaxRetries 2
				}
				if n := len(rec.all()); n != wantSent {
					t.Errorf("sent %d times, want %d", n, wantSent)
				}
			})
		}
	}
}

// TestBadInputSendsNothing: typed calls refuse malformed arguments before
// sending.
func TestTypedBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := newHarness(t, rec.handler(always(200, okStatus)))
	c := h.client
	ok := finerworks.AddImage{FileName: "a.jpg", PrivateHiresURI: "https://img.example.com/a.jpg"}
	bad := map[string]error{}
	_, _, bad["list: library"] = c.ListImages(ctx, &finerworks.ListImagesRequest{Library: "gallery"})
	_, _, bad["list: per_page"] = c.ListImages(ctx, &finerworks.ListImagesRequest{PerPage: 51})
	_, _, bad["list: page"] = c.ListImages(ctx, &finerworks.ListImagesRequest{PageNumber: -1})
	_, _, bad["list: guid"] = c.ListImages(ctx, &finerworks.ListImagesRequest{GUIDFilter: []finerworks.ImageGUID{"123"}})
	_, _, bad["list: search"] = c.ListImages(ctx, &finerworks.ListImagesRequest{SearchFilter: "a\x00"})
	_, _, bad["add: none"] = c.AddImages(ctx, "", nil)
	_, _, bad["add: library"] = c.AddImages(ctx, "Inventory", []finerworks.AddImage{ok})
	_, _, bad["add: no uri"] = c.AddImages(ctx, "", []finerworks.AddImage{{FileName: "a.jpg", Title: "t"}})
	_, _, bad["add: relative uri"] = c.AddImages(ctx, "", []finerworks.AddImage{{FileName: "a.jpg", PublicPreviewURI: "/a.jpg"}})
	_, _, bad["add: title"] = c.AddImages(ctx, "", []finerworks.AddImage{ok, {FileName: "b.jpg", PrivateHiresURI: ok.PrivateHiresURI, Title: "\xff"}})
	_, _, bad["add: size"] = c.AddImages(ctx, "", []finerworks.AddImage{{FileName: "b.jpg", PrivateHiresURI: ok.PrivateHiresURI, PixW: -1}})
	_, bad["update: none"] = c.UpdateImages(ctx, nil)
	_, bad["update: guid"] = c.UpdateImages(ctx, []finerworks.UpdateImage{{GUID: "{eaedbfbc-aee8-408f-9a80-43bda4e94de7}"}})
	_, bad["update: twice"] = c.UpdateImages(ctx, []finerworks.UpdateImage{{GUID: guids(1)[0]}, {GUID: guids(1)[0]}})
	_, bad["update: description"] = c.UpdateImages(ctx, []finerworks.UpdateImage{{GUID: guids(1)[0], Description: "\x07"}})
	_, bad["delete: none"] = c.DeleteImages(ctx, "", nil)
	_, bad["delete: guid"] = c.DeleteImages(ctx, "", []finerworks.ImageGUID{"eaedbfbc-aee8-408f-9a80-43bda4e94de7 "})
	_, bad["delete: library"] = c.DeleteImages(ctx, "inventory\n", guids(1))
	for name, err := range bad {
		if !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestNewClientChecksItsArguments(t *testing.T) {
	t.Parallel()
	good := finerworks.Credentials{WebAPIKey: "w-key-123456", AppKey: "a-key-123456"}
	cases := map[string]struct {
		creds finerworks.Credentials
		opts  []finerworks.Option
	}{
		"no web key":      {finerworks.Credentials{AppKey: "a"}, nil},
		"no app key":      {finerworks.Credentials{WebAPIKey: "w"}, nil},
		"line break":      {finerworks.Credentials{WebAPIKey: "w\n", AppKey: "a"}, nil},
		"short session":   {good, []finerworks.Option{finerworks.WithLibrary(finerworks.Library{SessionID: "1234567"})}},
		"long session":    {good, []finerworks.Option{finerworks.WithLibrary(finerworks.Library{SessionID: strings.Repeat("x", 51)})}},
		"library name":    {good, []finerworks.Option{finerworks.WithLibrary(finerworks.Library{Name: "archive"})}},
		"negative site":   {good, []finerworks.Option{finerworks.WithLibrary(finerworks.Library{SiteID: -1})}},
		"page size 0":     {good, []finerworks.Option{finerworks.WithPageSize(0)}},
		"page size 51":    {good, []finerworks.Option{finerworks.WithPageSize(51)}},
		"base URL":        {good, []finerworks.Option{finerworks.WithBaseURL("api.finerworks.com")}},
		"nil HTTP client": {good, []finerworks.Option{finerworks.WithHTTPClient(nil)}},
	}
	for name, tc := range cases {
		if _, err := finerworks.NewClient(tc.creds, tc.opts...); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	c, err := finerworks.NewClient(good, nil, finerworks.WithLibrary(finerworks.Library{SiteID: 2, AccountKey: "acct"}))
	if err != nil {
		t.Fatal(err)
	}
	lib := c.Library()
	if lib.Name != finerworks.Inventory || len(lib.SessionID) != 32 || lib.SiteID != 2 || lib.AccountKey != "acct" {
		t.Errorf("Library() = %+v, want inventory, a 32-character session, site 2, the account key", lib)
	}
	other, _ := finerworks.NewClient(good)
	if other.Library().SessionID == lib.SessionID {
		t.Error("two clients made the same random session ID")
	}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%#v", c), fmt.Sprintf("%+v", good), fmt.Sprintf("%#v", good)} {
		if strings.Contains(s, "key-123456") {
			t.Errorf("printing shows a key: %s", s)
		}
	}
}

// TestAddImagesSplitsTwelveIntoThree: one AddImages call of 12 images sends
// three add_images requests of 5, 5 and 2, to a fake that refuses more
// than 5, and returns the created images when the API answers with them.
func TestAddImagesSplitsTwelveIntoThree(t *testing.T) {
	t.Parallel()
	for _, answer := range []finerworkstest.AddAnswer{finerworkstest.AddAnswerStatus, finerworkstest.AddAnswerImages} {
		f := newFixture(t, finerworkstest.WithAddAnswer(answer))
		imgs := make([]finerworks.AddImage, 12)
		for i := range imgs {
			imgs[i] = finerworks.AddImage{Title: fmt.Sprint("Print ", i), FileName: fmt.Sprintf("p%d.jpg", i), PrivateHiresURI: fmt.Sprintf("https://img.example.com/p%d.jpg", i)}
		}
		created, resp, err := f.client.AddImages(ctx, finerworks.Inventory, imgs)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("AddImages: %v", err)
		}
		var sizes []int
		for _, r := range f.srv.Recorder().Requests() {
			var body struct{ Images []any }
			_ = json.Unmarshal(r.Body, &body)
			if r.Method == http.MethodPost && r.Path == finerworkstest.AddImagesPath {
				sizes = append(sizes, len(body.Images))
			}
		}
		if !slices.Equal(sizes, []int{5, 5, 2}) {
			t.Errorf("add_images requests carried %v images, want [5 5 2]", sizes)
		}
		if stored := f.srv.Images(finerworkstest.Inventory); len(stored) != 12 || stored[11].Title != "Print 11" {
			t.Errorf("stored %d images", len(stored))
		}
		wantCreated := 0
		if answer == finerworkstest.AddAnswerImages {
			wantCreated = 12
		}
		if len(created) != wantCreated {
			t.Errorf("reading %v: %d images returned, want %d", answer, len(created), wantCreated)
		}
	}
}

// TestAddImagesStopsAtTheFirstFailure: the calls after a failing one are
// not sent; the error says what the failing one said.
func TestAddImagesStopsAtTheFirstFailure(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.srv.Faults().Add(finerworkstest.Fault{Method: http.MethodPost, Path: finerworkstest.AddImagesPath, Times: 1, Status: 200,
		Body: `{"status":{"success":false,"status_code":400,"message":"file_name is required."}}`})
	imgs := make([]finerworks.AddImage, 7)
	for i := range imgs {
		imgs[i] = finerworks.AddImage{FileName: "a.jpg", PublicPreviewURI: "https://img.example.com/a.jpg"}
	}
	_, _, err := f.client.AddImages(ctx, "", imgs)
	if !errors.Is(err, shopimg.ErrInvalidInput) || f.srv.Recorder().Count("POST", finerworkstest.AddImagesPath) != 1 {
		t.Errorf("err = %v after %d requests, want ErrInvalidInput after 1", err, f.srv.Recorder().Count("POST", finerworkstest.AddImagesPath))
	}
}

// TestUpdateAndDeleteSplitIntoFives: 12 updates are 3 update_images calls
// and 12 deletes 3 delete_images calls, to a fake that refuses more than 5.
func TestUpdateAndDeleteSplitIntoFives(t *testing.T) {
	t.Parallel()
	f := newFixture(t, finerworkstest.WithMaxUpdateImages(5), finerworkstest.WithMaxDeleteImages(5))
	seeded := make([]finerworkstest.Image, 12)
	for i := range seeded {
		seeded[i] = finerworkstest.Image{Title: fmt.Sprint("old ", i), Description: fmt.Sprint("desc ", i), FileName: "a.jpg"}
	}
	seeded = f.srv.AddImages(finerworkstest.Inventory, seeded...)
	var ups []finerworks.UpdateImage
	var ids []finerworks.ImageGUID
	for _, img := range seeded {
		ups = append(ups, finerworks.UpdateImage{GUID: finerworks.ImageGUID(img.GUID), Title: "new " + img.Title, Description: img.Description})
		ids = append(ids, finerworks.ImageGUID(img.GUID))
	}
	if _, err := f.client.UpdateImages(ctx, ups); err != nil {
		t.Fatal(err)
	}
	for _, img := range f.srv.Images(finerworkstest.Inventory) {
		if !strings.HasPrefix(img.Title, "new old") || !strings.HasPrefix(img.Description, "desc") {
			t.Errorf("after the update: %+v", img)
		}
	}
	if _, err := f.client.DeleteImages(ctx, finerworks.Inventory, ids); err != nil {
		t.Fatal(err)
	}
	rec := f.srv.Recorder()
	if u, d := rec.Count("PUT", finerworkstest.UpdateImagesPath), rec.Count("DELETE", finerworkstest.DeleteImagesPath); u != 3 || d != 3 {
		t.Errorf("%d update_images and %d delete_images calls, want 3 each", u, d)
	}
	if n := len(f.srv.Images(finerworkstest.Inventory)); n != 0 {
		t.Errorf("%d images left", n)
	}
}

// TestIteratorUnderEveryReading lists libraries of sizes around the page
// size through the iterator, under both readings of count, with the page
// size the client asks for and with a server that caps it: every image
// comes once, and no more requests are sent than the reading allows.
func TestIteratorUnderEveryReading(t *testing.T) {
	t.Parallel()
	for _, reading := range []finerworkstest.CountReading{finerworkstest.CountTotal, finerworkstest.CountPage} {
		for _, n := range []int{0, 1, 9, 10, 11, 20, 25} {
			t.Run(fmt.Sprintf("count-%d/images-%d", reading, n), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, finerworkstest.WithCount(reading))
				seed := make([]finerworkstest.Image, n)
				f.srv.AddImages(finerworkstest.Inventory, seed...)
				var got []finerworks.ImageGUID
				for img, err := range f.client.ListImagesIter(ctx, &finerworks.ListImagesRequest{PerPage: 10, SortField: finerworks.SortByID, SortDirection: finerworks.Ascending}) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, img.GUID)
				}
				var want []finerworks.ImageGUID
				for _, img := range f.srv.Images(finerworkstest.Inventory) {
					want = append(want, finerworks.ImageGUID(img.GUID))
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("listed (-want +got):\n%s", d)
				}
				pages := n/10 + 1 // a short or empty page ends it
				if reading == finerworkstest.CountTotal && n > 0 && n%10 == 0 && n > 10 {
					pages = n / 10 // the total says when to stop
				}
				if sent := f.srv.Recorder().Count("POST", finerworkstest.ListImagesPath); sent != pages {
					t.Errorf("%d pages requested, want %d", sent, pages)
				}
			})
		}
	}
}

// TestIteratorWithACappedPageSize: a server that sends fewer images than
// per_page asks (and says so in per_page) is still listed whole.
func TestIteratorWithACappedPageSize(t *testing.T) {
	t.Parallel()
	var all []string
	for i := range 23 {
		all = append(all, fmt.Sprintf(`{"id":%d,"guid":"%s"}`, i+1, guids(23)[i]))
	}
	rec := &recorder{}
	h := newHarness(t, rec.handler(func(n int, r *http.Request) (int, string) {
		start := min((n-1)*10, len(all))
		page := all[start:min(start+10, len(all))]
		return 200, fmt.Sprintf(`{"status":{"success":true},"images":[%s],"page_number":%d,"per_page":10,"count":%d}`, strings.Join(page, ","), n, len(page))
	}))
	count := 0
	for _, err := range h.client.ListImagesIter(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != 23 || len(rec.all()) != 3 {
		t.Errorf("listed %d images in %d requests, want 23 in 3", count, len(rec.all()))
	}
}

// TestIteratorStopsWhenPagesRepeat: a server that ignores page_number gets
// an error, not an endless loop.
func TestIteratorStopsWhenPagesRepeat(t *testing.T) {
	t.Parallel()
	var page []string
	for i, g := range guids(50) {
		page = append(page, fmt.Sprintf(`{"id":%d,"guid":"%s"}`, i+1, g))
	}
	body := `{"status":{"success":true},"images":[` + strings.Join(page, ",") + `],"per_page":50,"count":50}`
	rec := &recorder{}
	h := newHarness(t, rec.handler(always(200, body)))
	var err error
	count := 0
	for _, e := range h.client.ListImagesIter(ctx, nil) {
		if e != nil {
			err = e
			break
		}
		count++
	}
	if err == nil || count != 50 || len(rec.all()) != 4 {
		t.Errorf("err = %v after %d images and %d requests, want an error after 50 and 4", err, count, len(rec.all()))
	}
}

// TestIteratorDistrustsASmallCount: a count below the page's size is no
// total under either reading, and does not end the listing.
func TestIteratorDistrustsASmallCount(t *testing.T) {
	t.Parallel()
	var all []string
	for i, g := range guids(60) {
		all = append(all, fmt.Sprintf(`{"id":%d,"guid":"%s"}`, i+1, g))
	}
	rec := &recorder{}
	h := newHarness(t, rec.handler(func(n int, r *http.Request) (int, string) {
		start := min((n-1)*50, len(all))
		page := all[start:min(start+50, len(all))]
		return 200, fmt.Sprintf(`{"status":{"success":true},"images":[%s],"page_number":%d,"per_page":50,"count":1}`, strings.Join(page, ","), n)
	}))
	count := 0
	for _, err := range h.client.ListImagesIter(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != 60 {
		t.Errorf("listed %d images, want 60", count)
	}
}

package threedcart

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
)

func TestNewClientChecksItsInput(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		creds Credentials
		opts  []Option
	}{
		"no SecureURL":        {Credentials{PrivateKey: "k", Token: "t"}, nil},
		"no PrivateKey":       {Credentials{SecureURL: "s", Token: "t"}, nil},
		"blank Token":         {Credentials{SecureURL: "s", PrivateKey: "k", Token: "  "}, nil},
		"line break in Token": {Credentials{SecureURL: "s", PrivateKey: "k", Token: "t\r\nX: y"}, nil},
		"relative base URL":   {secretCreds, []Option{WithBaseURL("apirest.3dcart.com")}},
		"base URL with query": {secretCreds, []Option{WithBaseURL("https://apirest.3dcart.com/?token=x")}},
		"nil HTTP client":     {secretCreds, []Option{WithHTTPClient(nil)}},
		"nil clock":           {secretCreds, []Option{WithClock(nil)}},
		"zero page size":      {secretCreds, []Option{WithPageSize(0)}},
		"negative retries":    {secretCreds, []Option{WithRetry(shopimg.RetryPolicy{MaxRetries: -1})}},
		"user agent newline":  {secretCreds, []Option{WithUserAgent("a\nb")}},
	}
	for name, tc := range cases {
		_, err := NewClient(tc.creds, tc.opts...)
		if !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
		if err != nil && strings.Contains(err.Error(), secretCreds.PrivateKey) {
			t.Errorf("%s: error shows the private key: %v", name, err)
		}
	}
	if _, err := NewClient(secretCreds, nil, WithPageSize(10)); err != nil {
		t.Errorf("valid client: %v", err)
	}
}

// TestEveryRequestIsHTTPSWithTheCredentials drives every endpoint, through
// the adapter and on a retry, against the default base URL (through a
// transport, no network), and checks each request as it would go on the
// wire: https://apirest.3dcart.com, a path under /3dCartWebAPI/v1, the
// headers SecureURL, PrivateKey and Token spelled so, and the vendor's field
// names in the bodies.
func TestEveryRequestIsHTTPSWithTheCredentials(t *testing.T) {
	t.Parallel()
	type sent struct {
		method, url string
		header      http.Header
		body        string
	}
	var (
		mu       sync.Mutex
		requests []sent
		putsOne  int
	)
	list, created, updated := fixture(t, "images_list.json"), fixture(t, "image_create.json"), fixture(t, "image_update.json")
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			_ = r.Body.Close()
		}
		mu.Lock()
		defer mu.Unlock()
		requests = append(requests, sent{r.Method, r.URL.String(), r.Header.Clone(), string(body)})
		status, answer := http.StatusOK, []byte(nil)
		switch {
		case r.Method == http.MethodGet && r.URL.Query().Get("offset") == "0":
			answer = list
		case r.Method == http.MethodGet:
			status = http.StatusNotFound // the empty 404 that ends the data
		case r.Method == http.MethodPost:
			status, answer = http.StatusCreated, created
		case strings.HasSuffix(r.URL.Path, "/Images/1310"):
			if putsOne++; putsOne == 1 {
				status, answer = http.StatusServiceUnavailable, []byte(`{"Message":"An error has occurred."}`)
			} else {
				answer = updated
			}
		default:
			answer = []byte(`[{"Key":"ImageGalleryID","Value":"1311","Status":"200","Message":"updated successfully"}]`)
		}
		h := http.Header{}
		if answer != nil {
			h.Set("Content-Type", "application/json; charset=utf-8")
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(answer)), Request: r}, nil
	})
	clock := shopimgtest.NewClock(epoch)
	c, err := NewClient(secretCreds, WithHTTPClient(&http.Client{Transport: rt}), WithClock(clock),
		WithRetry(shopimg.RetryPolicy{MaxRetries: 1, MinWait: time.Second, MaxWait: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	p := c.ProductImages()
	ctx := context.Background()
	if _, err := p.List(ctx, "1001"); err != nil {
		t.Fatal(err)
	}
	img, err := p.Add(ctx, "1001", shopimg.NewImage{SourceURL: "https://cdn.example.com/new.jpg", Alt: "New"})
	if err != nil {
		t.Fatal(err)
	}
	if img.ID != "1235" || img.Position != 3 || img.Main || img.URL != "https://cdn.example.com/new.jpg" || img.Alt != "New" {
		t.Errorf("Add returned %+v; want ID 1235, the Value of image_create.json, at position 3", img)
	}
	if _, err := p.Update(ctx, "1001", "1310", shopimg.ImageUpdate{Alt: new("Back")}); err != nil {
		t.Fatal(err)
	}
	if err := p.Reorder(ctx, "1001", []string{"1311", "1312", "1310"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Delete(ctx, "1001", "1310"); !errors.Is(err, shopimg.ErrUnsupported) {
		t.Errorf("Delete: err = %v, want ErrUnsupported", err)
	}

	mu.Lock()
	defer mu.Unlock()
	const images = "https://apirest.3dcart.com/3dCartWebAPI/v1/Products/1001/Images"
	pages := []string{"GET " + images + "?limit=200&offset=0", "GET " + images + "?limit=200&offset=3"}
	var want []string
	want = append(want, pages...)                                     // List
	want = append(want, pages...)                                     // Add reads the gallery,
	want = append(want, "POST "+images)                               // then creates
	want = append(want, pages...)                                     // Update reads,
	want = append(want, "PUT "+images+"/1310", "PUT "+images+"/1310") // a 503, then the retry
	want = append(want, pages...)                                     // Reorder reads,
	want = append(want, "PUT "+images)                                // one collection PUT; Delete sends nothing
	var got []string
	for _, r := range requests {
		got = append(got, r.method+" "+r.url)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("requests (-want +got):\n%s", diff)
	}
	creds := map[string]string{"SecureURL": secretCreds.SecureURL, "PrivateKey": secretCreds.PrivateKey, "Token": secretCreds.Token}
	for _, r := range requests {
		// The exact spelling of the header keys, as written on the wire.
		for k, v := range creds {
			if got := r.header[k]; len(got) != 1 || got[0] != v {
				t.Errorf("%s %s: header %q = %q, want [%q]", r.method, r.url, k, got, v)
			}
		}
		if n := len(r.header["Secureurl"]) + len(r.header["Privatekey"]); n != 0 {
			t.Errorf("%s %s: credential headers also sent in canonical form: %v", r.method, r.url, r.header)
		}
		if got := r.header.Get("Accept"); got != "application/json" {
			t.Errorf("%s %s: Accept = %q", r.method, r.url, got)
		}
		if r.method != http.MethodGet && r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: Content-Type = %q", r.method, r.url, r.header.Get("Content-Type"))
		}
	}
	bodies := map[string]any{
		"POST " + images: map[string]any{"ImageGalleryFile": "https://cdn.example.com/new.jpg", "ImageGalleryCaption": "New", "ImageGallerySorting": 3.0},
		"PUT " + images + "/1310": map[string]any{
			"ImageGalleryID": 1310.0, "ImageGalleryFile": "/assets/images/red-shoe-back.jpg", "ImageGalleryCaption": "Back", "ImageGallerySorting": 2.0,
		},
	}
	for _, r := range requests {
		wantBody, ok := bodies[r.method+" "+r.url]
		if !ok {
			continue
		}
		var gotBody any
		if err := json.Unmarshal([]byte(r.body), &gotBody); err != nil {
			t.Fatalf("%s %s: body %q: %v", r.method, r.url, r.body, err)
		}
		if diff := cmp.Diff(wantBody, gotBody); diff != "" {
			t.Errorf("%s %s body (-want +got):\n%s", r.method, r.url, diff)
		}
	}
	if n := len(clock.Sleeps()); n != 1 {
		t.Errorf("%d waits on the clock, want 1 (the retry)", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCredentialsNeverShow(t *testing.T) {
	t.Parallel()
	c, err := NewClient(secretCreds)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		fmt.Sprint(secretCreds), fmt.Sprintf("%+v", secretCreds), fmt.Sprintf("%#v", secretCreds),
		fmt.Sprintf("%v", &secretCreds), fmt.Sprint(c), fmt.Sprintf("%+v", c),
	} {
		for _, secret := range []string{secretCreds.SecureURL, secretCreds.PrivateKey, secretCreds.Token, "sentinel"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q shows a credential", s)
			}
		}
	}
	if got, want := (Credentials{SecureURL: "x"}).String(), "threedcart.Credentials{SecureURL:<redacted> PrivateKey:<empty> Token:<empty>}"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestSecretsStayOutOfErrorsAndLogs drives every kind of failure with the
// sentinel credentials and a debug logger.
func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	t.Parallel()
	calls := 0
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		switch calls {
		case 1:
			respond(w, http.StatusUnauthorized, fixture(t, "error_unauthorized.json"))
		case 2, 3, 4:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("<html><title>down</title>" + r.Header.Get("Token") + "</html>"))
		default:
			respond(w, http.StatusOK, fixture(t, "images_update_failure.json"))
		}
	})
	ctx := context.Background()
	var errs []error
	_, _, err := hs.client.ListImages(ctx, 1, nil)
	errs = append(errs, err)
	_, _, err = hs.client.ListImages(ctx, 1, nil) // 503 three times
	errs = append(errs, err)
	_, _, err = hs.client.UpdateImages(ctx, 1, []Image{{ImageGalleryID: 5, ImageGalleryFile: "a.jpg"}})
	errs = append(errs, err)
	hs.srv.Close()
	_, _, err = hs.client.CreateImage(ctx, 1, CreateImageRequest{ImageGalleryFile: "a.jpg"})
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d did not fail", i)
		}
	}
	text := hs.logs.String()
	for _, err := range errs {
		text += "\n" + err.Error() + fmt.Sprintf("%+v", err)
	}
	for _, secret := range []string{secretCreds.SecureURL, "sentinel-store", secretCreds.PrivateKey, secretCreds.Token} {
		if strings.Contains(text, secret) {
			t.Errorf("a credential (%q) appears in errors or logs:\n%s", secret, text)
		}
	}
	if !strings.Contains(text, "shopimg retry") {
		t.Errorf("expected retry warnings in the log:\n%s", text)
	}
}

func TestParseIDs(t *testing.T) {
	t.Parallel()
	good := map[string]int64{"1": 1, "42": 42, "9223372036854775807": 1<<63 - 1}
	for s, want := range good {
		got, err := ParseCatalogID(s)
		if err != nil || int64(got) != want {
			t.Errorf("ParseCatalogID(%q) = %d, %v", s, got, err)
		}
		img, err := ParseImageGalleryID(s)
		if err != nil || int64(img) != want {
			t.Errorf("ParseImageGalleryID(%q) = %d, %v", s, img, err)
		}
	}
	for _, s := range []string{"", "0", "-3", "+3", "abc", "1.5", "12a", " 1", "99999999999999999999", "a\nb"} {
		if _, err := ParseCatalogID(s); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("ParseCatalogID(%q) err = %v, want ErrInvalidInput", s, err)
		}
		if _, err := ParseImageGalleryID(s); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("ParseImageGalleryID(%q) err = %v, want ErrInvalidInput", s, err)
		}
	}
}

func TestImageURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ secureURL, file, want string }{
		{"https://shop.example.com", "assets/images/a.jpg", "https://shop.example.com/assets/images/a.jpg"},
		{"https://shop.example.com/", "/assets/images/a.jpg", "https://shop.example.com/assets/images/a.jpg"},
		{"shop.example.com", "assets/a b.jpg", "https://shop.example.com/assets/a%20b.jpg"},
		{"https://shop.example.com/store", "assets/a.jpg", "https://shop.example.com/store/assets/a.jpg"},
		{"https://shop.example.com", "https://cdn.example.com/x.jpg", "https://cdn.example.com/x.jpg"},
		{"https://shop.example.com", "//cdn.example.com/x.jpg", "https://cdn.example.com/x.jpg"},
		{"https://shop.example.com", "", ""},
		{"https://shop.example.com/store/", "/assets/a.jpg", "https://shop.example.com/assets/a.jpg"},
		{"https://shop.example.com/store/", "../a.jpg", "https://shop.example.com/a.jpg"},
		{"https://shop.example.com/store/", "./a.jpg", "https://shop.example.com/store/a.jpg"},
		{"https://shop.example.com", "a/.hidden/x.v1.jpg", "https://shop.example.com/a/.hidden/x.v1.jpg"},
		{"https://shop.example.com", "HTTPS://CDN.example.com/X.jpg", "HTTPS://CDN.example.com/X.jpg"},
		{"https://shop.example.com", "ftp://files.example.com/x.jpg", "ftp://files.example.com/x.jpg"},
		{"https://shop.example.com", "a.jpg?v=2", "https://shop.example.com/a.jpg?v=2"},
		{"::not a url", "assets/a.jpg", "assets/a.jpg"},
	}
	for _, tc := range cases {
		c, err := NewClient(Credentials{SecureURL: tc.secureURL, PrivateKey: "k", Token: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ImageURL(Image{ImageGalleryFile: tc.file}); got != tc.want {
			t.Errorf("SecureURL %q, file %q: ImageURL = %q, want %q", tc.secureURL, tc.file, got, tc.want)
		}
	}
}

func TestOptionsReachTheCore(t *testing.T) {
	t.Parallel()
	var ua string
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		if diff := cmp.Diff("limit=7&offset=0", r.URL.RawQuery); diff != "" {
			t.Errorf("query (-want +got):\n%s", diff)
		}
		respond(w, http.StatusOK, []byte("[]"))
	}, WithUserAgent("my-connector/2"), WithPageSize(7))
	if _, _, err := hs.client.ListImages(context.Background(), 3, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ua, "my-connector/2 shopimg/") {
		t.Errorf("User-Agent = %q", ua)
	}
}

// FuzzImageURLFastPath checks that the concatenation fast path of ImageURL
// gives what URL resolution gives.
func FuzzImageURLFastPath(f *testing.F) {
	for _, s := range []string{"assets/a.jpg", "/a/b.png", "a/.b/c", "x..y/z", "a/./b", "~u/-_.jpg"} {
		f.Add(s, "https://shop.example.com/store")
	}
	f.Fuzz(func(t *testing.T, file, secureURL string) {
		c, err := NewClient(Credentials{SecureURL: secureURL, PrivateKey: "k", Token: "t"})
		if err != nil || c.store == nil || file == "" || !simplePath(file) {
			return
		}
		ref, err := url.Parse(file)
		if err != nil {
			t.Fatalf("simplePath accepted %q, which does not parse: %v", file, err)
		}
		if got, want := c.ImageURL(Image{ImageGalleryFile: file}), c.store.ResolveReference(ref).String(); got != want {
			t.Fatalf("ImageURL(%q) on %q = %q, resolution gives %q", file, c.storeBase, got, want)
		}
	})
}

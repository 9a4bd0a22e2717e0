package threedcart

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
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

func TestDefaultsAreHTTPSAndDocumentedHeaders(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen *http.Request
	)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = r
		mu.Unlock()
		return nil, errors.New("no network in tests")
	})
	c, err := NewClient(secretCreds, WithHTTPClient(&http.Client{Transport: rt}), WithRetry(shopimg.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.ListImages(context.Background(), 7, nil)
	mu.Lock()
	defer mu.Unlock()
	if seen == nil {
		t.Fatal("no request was sent")
	}
	if got, want := seen.URL.String(), "https://apirest.3dcart.com/3dCartWebAPI/v1/Products/7/Images?limit=200&offset=0"; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
	// The exact spelling of the header keys, as written on the wire.
	want := map[string]string{"SecureURL": secretCreds.SecureURL, "PrivateKey": secretCreds.PrivateKey, "Token": secretCreds.Token}
	for k, v := range want {
		if got := seen.Header[k]; len(got) != 1 || got[0] != v {
			t.Errorf("header %q = %q, want [%q]", k, got, v)
		}
	}
	if n := len(seen.Header["Secureurl"]) + len(seen.Header["Privatekey"]); n != 0 {
		t.Errorf("credential headers also sent in canonical form: %v", seen.Header)
	}
	if got := seen.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q", got)
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
			respond(w, http.StatusOK, fixture(t, "write_failure_200.json"))
		}
	})
	ctx := context.Background()
	var errs []error
	_, err := hs.client.ListImages(ctx, 1, nil)
	errs = append(errs, err)
	_, err = hs.client.ListImages(ctx, 1, nil) // 503 three times
	errs = append(errs, err)
	_, err = hs.client.UpdateImages(ctx, 1, []Image{{ImageGalleryID: 5, ImageGalleryFile: "a.jpg"}})
	errs = append(errs, err)
	hs.srv.Close()
	_, err = hs.client.CreateImage(ctx, 1, CreateImageRequest{ImageGalleryFile: "a.jpg"})
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
	if _, err := hs.client.ListImages(context.Background(), 3, nil); err != nil {
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

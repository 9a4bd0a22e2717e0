package sallatest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg/salla/sallatest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// These tests speak to the fake at the wire level, with net/http and raw
// JSON, so they check the protocol as the vendor's documents describe it
// (paths, headers, statuses, envelopes, field names), not a round trip
// through package salla.

var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

type wire struct {
	t     *testing.T
	srv   *sallatest.Server
	clock *shopimgtest.Clock
}

func newWire(t *testing.T, opts ...sallatest.Option) *wire {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := sallatest.NewServer(append([]sallatest.Option{sallatest.WithClock(clock), sallatest.WithoutQuota()}, opts...)...)
	t.Cleanup(srv.Close)
	return &wire{t: t, srv: srv, clock: clock}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
	return v
}

// send sends a request to the API path with the bearer token (none when
// token is "").
func (w *wire) send(method, path, token, contentType string, body []byte) answer {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.srv.URL+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// form sends a multipart form; a field named "@photo" is a file part.
func (w *wire) form(path string, fields ...string) answer {
	w.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] == "@photo" {
			fw, _ := mw.CreateFormFile("photo", "shoe.png")
			_, _ = fw.Write([]byte(fields[i+1]))
			continue
		}
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	_ = mw.Close()
	return w.send("POST", path, w.srv.AccessToken(), mw.FormDataContentType(), buf.Bytes())
}

func want(t *testing.T, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
}

func wantJSON(t *testing.T, a answer, status int, body string) {
	t.Helper()
	want(t, a, status)
	var exp any
	if err := json.Unmarshal([]byte(body), &exp); err != nil {
		t.Fatal(err)
	}
	var got any
	_ = json.Unmarshal(a.body, &got)
	if d := cmp.Diff(exp, got); d != "" {
		t.Errorf("body (-want +got):\n%s", d)
	}
}

// ids returns "id[*]" of the product's stored entries, * for default.
func ids(t *testing.T, srv *sallatest.Server, pid int64) []string {
	t.Helper()
	items, err := srv.Items(pid)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		s := fmt.Sprintf("%d:%d", it.ID, it.Sort)
		if it.Default {
			s += "*"
		}
		out = append(out, s)
	}
	return out
}

func TestAuth(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.srv.AddProduct(1, "")
	const invalid = `{"status":401,"success":false,"error":{"code":"Unauthorized","message":"The access token is invalid or has expired"}}`
	wantJSON(t, w.send("GET", "/products/1", "", "", nil), 401, `{"status":401,"success":false,"error":{"code":"Unauthorized","message":"The access token is missing"}}`)
	wantJSON(t, w.send("GET", "/products/1", "wrong", "", nil), 401, invalid)
	want(t, w.send("GET", "/products/1", w.srv.AccessToken(), "", nil), 200)
	tok := w.srv.IssueToken(epoch.Add(time.Hour))
	want(t, w.send("GET", "/products/1", tok.AccessToken, "", nil), 200)
	w.clock.Advance(time.Hour)
	wantJSON(t, w.send("GET", "/products/1", tok.AccessToken, "", nil), 401, invalid)
	// The recorder never keeps the bearer token.
	for _, r := range w.srv.Recorder().Requests() {
		if v := r.Header.Get("Authorization"); v != "" && v != sallatest.Redacted {
			t.Errorf("recorded %q", v)
		}
	}
}

func TestProductDetails(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.srv.AddProduct(5, "SKU-5",
		sallatest.Item{ID: 30, Sort: 2, Alt: "b", URL: "https://cdn.salla.sa/b.png"},
		sallatest.Item{ID: 20, Sort: 1, Default: true, Alt: "a", URL: "https://cdn.salla.sa/a.png"},
		sallatest.Item{ID: 10, Sort: 2, Type: "video", VideoURL: "https://youtube.example.com/v", URL: "https://cdn.salla.sa/v.png"})
	wantJSON(t, w.send("GET", "/products/5", w.srv.AccessToken(), "", nil), 200, `{"status":200,"success":true,"data":{
		"id":5,"name":"Product 5","sku":"SKU-5","main_image":"https://cdn.salla.sa/a.png","thumbnail":"https://cdn.salla.sa/a.png?size=thumb",
		"images":[
			{"id":20,"url":"https://cdn.salla.sa/a.png","main":true,"three_d_image_url":"","alt":"a","video_url":"","type":"image","sort":1},
			{"id":10,"url":"https://cdn.salla.sa/v.png","main":false,"three_d_image_url":"","alt":"","video_url":"https://youtube.example.com/v","type":"video","sort":2},
			{"id":30,"url":"https://cdn.salla.sa/b.png","main":false,"three_d_image_url":"","alt":"b","video_url":"","type":"image","sort":2}]}}`)
	wantJSON(t, w.send("GET", "/products/6", w.srv.AccessToken(), "", nil), 404, `{"status":404,"success":false,"error":{"code":"error","message":"المحتوى الذي تحاول الوصول اليه غير متوفر"}}`)
}

func TestAttach(t *testing.T) {
	t.Parallel()
	w := newWire(t, sallatest.WithFirstID(100), sallatest.WithMaxImages(2))
	w.srv.AddProduct(5, "SKU-5")
	a := w.form("/products/5/images", "photo", "https://pim.example.com/red.jpg", "default", "1", "sort", "7", "alt", "Red")
	wantJSON(t, a, 201, `{"status":201,"success":true,"data":{"id":100,"image":{
		"original":{"url":"https://cdn.salla.sa/fake/100-red.jpg","width":0,"height":0},
		"standard_resolution":{"url":"https://cdn.salla.sa/fake/100-red.jpg?size=standard","width":865.8008658008658,"height":1000},
		"low_resolution":{"url":"https://cdn.salla.sa/fake/100-red.jpg?size=low","width":432.9004329004329,"height":500},
		"thumbnail":{"url":"https://cdn.salla.sa/fake/100-red.jpg?size=thumb","width":103.89610389610388,"height":119.99999999999999}},
		"sort":7,"default":true,"alt_seo":"Red","video_url":"","type":"image"}}`)
	// A file, by SKU; no alt gives alt_seo null; no sort goes last.
	a = w.form("/products/sku/SKU-5/images", "@photo", "PNG")
	want(t, a, 201)
	if d := a.json(t)["data"].(map[string]any); d["alt_seo"] != nil || d["sort"].(float64) != 8 || d["default"] != false {
		t.Errorf("file attach answered %v", d)
	}
	if items, _ := w.srv.Items(5); items[1].Size != 3 {
		t.Errorf("stored size %d", items[1].Size)
	}
	// The limit.
	wantJSON(t, w.form("/products/5/images", "photo", "https://pim.example.com/x.jpg"), 422,
		`{"status":422,"success":false,"error":{"code":"error","message":"alert.invalid_fields","fields":{"photo":["The product can have at most 2 images."]}}}`)
	// Missing photo, bad URL, unknown SKU, not multipart.
	want(t, w.form("/products/5/images", "alt", "x"), 422)
	want(t, w.form("/products/5/images", "photo", "ftp://x"), 422)
	want(t, w.form("/products/sku/NOPE/images", "photo", "https://pim.example.com/x.jpg"), 404)
	want(t, w.send("POST", "/products/5/images", w.srv.AccessToken(), "application/json", []byte(`{"photo":"https://x.example/a.jpg"}`)), 422)
}

func TestSortBaseAndSKUStatus(t *testing.T) {
	t.Parallel()
	w := newWire(t, sallatest.WithSortBase(1), sallatest.WithSKUStatus(200))
	w.srv.AddProduct(5, "S")
	wantJSON(t, w.form("/products/5/images", "photo", "https://pim.example.com/x.jpg", "sort", "0"), 422,
		`{"status":422,"success":false,"error":{"code":"error","message":"alert.invalid_fields","fields":{"sort":["The sort must be at least 1."]}}}`)
	a := w.form("/products/sku/S/images", "photo", "https://pim.example.com/x.jpg")
	want(t, a, 200)
	if a.json(t)["data"].(map[string]any)["sort"].(float64) != 1 {
		t.Errorf("the first automatic sort is not 1: %s", a.body)
	}
}

// TestSortWrites: stored as sent (ties allowed), or the insertion reading.
func TestSortWrites(t *testing.T) {
	t.Parallel()
	for _, shift := range []bool{false, true} {
		w := newWire(t, sallatest.WithSortShift(shift))
		w.srv.AddProduct(5, "", sallatest.Item{ID: 1, Sort: 1, Default: true}, sallatest.Item{ID: 2, Sort: 2}, sallatest.Item{ID: 3, Sort: 3})
		want(t, w.form("/products/images/3", "photo", "https://cdn.salla.sa/fake/3-seed.jpg", "sort", "2"), 201)
		wantIDs := []string{"1:1*", "2:2", "3:2"}
		if shift {
			wantIDs = []string{"1:1*", "3:2", "2:3"}
		}
		if d := cmp.Diff(wantIDs, ids(t, w.srv, 5)); d != "" {
			t.Errorf("shift %v (-want +got):\n%s", shift, d)
		}
	}
}

// TestUpdateReadings: photo is required; with a photo URL the image keeps
// its ID, is replaced by a new one, or is copied; default moves the flag,
// or leaves it on the others too.
func TestUpdateReadings(t *testing.T) {
	t.Parallel()
	seed := []sallatest.Item{{ID: 1, Sort: 10, Default: true, Alt: "a"}, {ID: 2, Sort: 20, Alt: "b"}}
	cases := []struct {
		opts []sallatest.Option
		id   float64
		want []string
	}{
		{nil, 2, []string{"1:5", "2:5*"}},
		{[]sallatest.Option{sallatest.WithUpdateIDs(sallatest.UpdateNewID)}, 100, []string{"1:5", "100:5*"}},
		{[]sallatest.Option{sallatest.WithUpdateIDs(sallatest.UpdateCopies)}, 100, []string{"1:5", "100:5*", "2:20"}},
		{[]sallatest.Option{sallatest.WithKeepOtherDefaults(true)}, 2, []string{"1:5*", "2:5*"}},
	}
	for i, tc := range cases {
		w := newWire(t, append([]sallatest.Option{sallatest.WithFirstID(100), sallatest.WithSortShift(false)}, tc.opts...)...)
		w.srv.AddProduct(5, "", seed...)
		wantJSON(t, w.form("/products/images/2", "default", "1"), 422,
			`{"status":422,"success":false,"error":{"code":"error","message":"alert.invalid_fields","fields":{"photo":["The photo field is required."]}}}`)
		w.srv.AddProduct(5, "", sallatest.Item{ID: 1, Sort: 5, Default: true, Alt: "a"}, sallatest.Item{ID: 2, Sort: 20, Alt: "b"})
		a := w.form("/products/images/2", "photo", "https://cdn.salla.sa/fake/2-seed.jpg", "default", "1", "sort", "5", "alt", "B")
		want(t, a, 201)
		if d := a.json(t)["data"].(map[string]any); d["id"] != tc.id || d["alt_seo"] != "B" || d["default"] != true {
			t.Errorf("case %d: answered %v", i, d)
		}
		if d := cmp.Diff(tc.want, ids(t, w.srv, 5)); d != "" {
			t.Errorf("case %d (-want +got):\n%s", i, d)
		}
	}
	w := newWire(t)
	want(t, w.form("/products/images/999", "photo", "https://x.example/a.jpg"), 404)
}

func TestDelete(t *testing.T) {
	t.Parallel()
	cases := []struct {
		opts   []sallatest.Option
		status int
		body   string
		left   []string
	}{
		{nil, 202, `{"status":202,"success":true,"data":{"message":"The image has been deleted","code":202}}`, []string{"2:2*", "3:3"}},
		{[]sallatest.Option{sallatest.WithDeleteAnswer(sallatest.Delete204)}, 204, ``, []string{"2:2*", "3:3"}},
		{[]sallatest.Option{sallatest.WithoutMainPromotion()}, 202, ``, []string{"2:2", "3:3"}},
	}
	for i, tc := range cases {
		w := newWire(t, tc.opts...)
		w.srv.AddProduct(5, "", sallatest.Item{ID: 1, Sort: 1, Default: true}, sallatest.Item{ID: 3, Sort: 3}, sallatest.Item{ID: 2, Sort: 2})
		a := w.send("DELETE", "/products/images/1", w.srv.AccessToken(), "", nil)
		want(t, a, tc.status)
		if tc.body != "" {
			wantJSON(t, a, tc.status, tc.body)
		}
		if d := cmp.Diff(tc.left, ids(t, w.srv, 5)); d != "" {
			t.Errorf("case %d (-want +got):\n%s", i, d)
		}
		want(t, w.send("DELETE", "/products/images/1", w.srv.AccessToken(), "", nil), 404)
	}
}

// TestQuota: every answer carries X-RateLimit-Limit, -Remaining and -Reset
// (an epoch second); over the quota a 429 with Retry-After.
func TestQuota(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(epoch)
	srv := sallatest.NewServer(sallatest.WithClock(clock), sallatest.WithQuota(2))
	t.Cleanup(srv.Close)
	srv.AddProduct(1, "")
	w := &wire{t: t, srv: srv, clock: clock}
	a := w.send("GET", "/products/1", srv.AccessToken(), "", nil)
	want(t, a, 200)
	if a.header.Get("X-RateLimit-Limit") != "2" || a.header.Get("X-RateLimit-Remaining") != "1" || a.header.Get("X-RateLimit-Reset") != strconv.FormatInt(epoch.Add(30*time.Second).Unix(), 10) {
		t.Errorf("headers %v", a.header)
	}
	want(t, w.send("GET", "/products/1", srv.AccessToken(), "", nil), 200)
	a = w.send("GET", "/products/1", srv.AccessToken(), "", nil)
	wantJSON(t, a, 429, `{"status":429,"success":false,"error":{"code":"too_many_requests","message":"Too many requests, slow down"}}`)
	if a.header.Get("Retry-After") != "30" || a.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("429 headers %v", a.header)
	}
	clock.Advance(30 * time.Second)
	want(t, w.send("GET", "/products/1", srv.AccessToken(), "", nil), 200)
}

// postToken sends a form to the token endpoint.
func postToken(t *testing.T, srv *sallatest.Server, form url.Values) answer {
	t.Helper()
	resp, err := srv.Accounts.Client().PostForm(srv.Accounts.URL+sallatest.TokenPath, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// TestTokenEndpoint: refresh tokens rotate; reusing one answers
// invalid_grant and revokes every token of the merchant.
func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.srv.AddProduct(1, "")
	tok := w.srv.IssueToken(time.Time{})
	client := url.Values{"client_id": {sallatest.DefaultClientID}, "client_secret": {sallatest.DefaultClientSecret}}
	refresh := func(rt string) answer {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		for k, v := range client {
			f[k] = v
		}
		return postToken(t, w.srv, f)
	}
	a := refresh(tok.RefreshToken)
	want(t, a, 200)
	got := a.json(t)
	if got["token_type"] != "bearer" || got["expires"] != float64(epoch.Add(sallatest.DefaultTokenLifetime).Unix()) || got["refresh_token"] == tok.RefreshToken || got["scope"] == nil {
		t.Errorf("token answer %v", got)
	}
	newAccess := got["access_token"].(string)
	want(t, w.send("GET", "/products/1", newAccess, "", nil), 200)
	// Reuse.
	wantJSON(t, refresh(tok.RefreshToken), 401, `{"error":"invalid_grant","error_description":"The refresh token was already used; the merchant's tokens are revoked."}`)
	if !w.srv.Revoked() || w.srv.Reuses() != 1 {
		t.Error("reuse did not revoke")
	}
	wantJSON(t, w.send("GET", "/products/1", newAccess, "", nil), 401, `{"error":"invalid_grant","error_description":"The access token has been revoked"}`)
	want(t, refresh(got["refresh_token"].(string)), 401)
	// A wrong client secret.
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "client_id": {sallatest.DefaultClientID}, "client_secret": {"nope"}}
	wantJSON(t, postToken(t, w.srv, f), 401, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.srv.AddProduct(5, "")
	w.srv.Faults().Add(sallatest.Fault{Method: "POST", Path: sallatest.ImagesPath(5), AfterApply: true, Status: 502})
	want(t, w.form("/products/5/images", "photo", "https://pim.example.com/x.jpg"), 502)
	if items, _ := w.srv.Items(5); len(items) != 1 {
		t.Errorf("AfterApply: %d images stored, want 1", len(items))
	}
	if !strings.HasPrefix(sallatest.ImagePath(7), sallatest.APIPrefix) {
		t.Error("ImagePath is not under the API prefix")
	}
}

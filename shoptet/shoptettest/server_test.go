package shoptettest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// These tests speak raw HTTP to the fake, each checking one behaviour the
// Shoptet documents describe, written from those documents and not from
// package shoptet.

var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

type rawEnv struct {
	Data     json.RawMessage `json:"data"`
	Errors   []rawErr        `json:"errors"`
	Metadata struct {
		RequestID string `json:"requestId"`
	} `json:"metadata"`
}

type rawErr struct {
	ErrorCode, Message, Instance string
}

type raw struct {
	status int
	header http.Header
	env    rawEnv
	body   string
}

// call sends a request with the private token and Content-Type unless the
// header map says otherwise ("" drops a header).
func call(t *testing.T, srv *shoptettest.Server, method, path, body string, hdr map[string]string) raw {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Shoptet-Private-Api-Token", srv.PrivateToken())
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		}
	}
	for k, v := range hdr {
		if v != "" {
			req.Header[k] = []string{v} // spelled as given
		}
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := raw{status: resp.StatusCode, header: resp.Header, body: string(b)}
	_ = json.Unmarshal(b, &out.env)
	return out
}

func newServer(t *testing.T, opts ...shoptettest.Option) (*shoptettest.Server, *shopimgtest.Clock) {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := shoptettest.NewServer(append([]shoptettest.Option{shoptettest.WithClock(clock)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, clock
}

func rows(n int, row string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(row, i)
	}
	return `{"data":{"images":[` + strings.Join(items, ",") + `]}}`
}

func TestDocumentedBehaviour(t *testing.T) {
	t.Parallel()
	type check func(t *testing.T, srv *shoptettest.Server, clock *shopimgtest.Clock, guid string)
	cases := map[string]struct {
		opts []shoptettest.Option
		run  check
	}{
		"every answer is the envelope with a request ID in the header and metadata": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", nil)
			if r.status != 200 || r.env.Metadata.RequestID == "" || r.header.Get("X-Request-ID") != r.env.Metadata.RequestID || !strings.Contains(r.body, `"errors":null`) {
				t.Errorf("got %d %s %v", r.status, r.body, r.header)
			}
		}},
		"a missing token is 401 missing-access-token": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", map[string]string{"Shoptet-Private-Api-Token": ""})
			if r.status != 401 || r.env.Errors[0].ErrorCode != "missing-access-token" {
				t.Errorf("got %d %s", r.status, r.body)
			}
		}},
		"the token header name is case-insensitive": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", map[string]string{"Shoptet-Private-Api-Token": "", "Shoptet-Private-API-Token": srv.PrivateToken()})
			if r.status != 200 {
				t.Errorf("got %d %s", r.status, r.body)
			}
		}},
		"an issued access token works until it expires, then 401 expired-token": {run: func(t *testing.T, srv *shoptettest.Server, clock *shopimgtest.Clock, guid string) {
			req, _ := http.NewRequest("GET", srv.URL+"/action/ApiOAuthServer/getAccessToken", nil)
			req.Header.Set("Authorization", "Bearer "+srv.OAuthToken())
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var tok struct {
				AccessToken string `json:"access_token"`
				ExpiresIn   int    `json:"expires_in"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&tok)
			resp.Body.Close()
			hdr := map[string]string{"Shoptet-Private-Api-Token": "", "Shoptet-Access-Token": tok.AccessToken}
			if r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", hdr); r.status != 200 || tok.ExpiresIn != 1800 {
				t.Errorf("with a fresh token: %d %s (expires_in %d)", r.status, r.body, tok.ExpiresIn)
			}
			clock.Advance(31 * time.Minute)
			if r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", hdr); r.status != 401 || r.env.Errors[0].ErrorCode != "expired-token" {
				t.Errorf("with an expired token: %d %s", r.status, r.body)
			}
		}},
		"Content-Type is required": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			if r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", map[string]string{"Content-Type": ""}); r.status < 400 {
				t.Errorf("without Content-Type: %d", r.status)
			}
			if r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", map[string]string{"Content-Type": "application/vnd.shoptet.v1.0"}); r.status != 200 {
				t.Errorf("with the SDK's type: %d", r.status)
			}
		}},
		"answers in the vendor media type": {opts: []shoptettest.Option{shoptettest.WithMediaType(shoptettest.MediaVendor)}, run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			if r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", nil); r.header.Get("Content-Type") != "application/vnd.shoptet.v1.0" {
				t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
			}
		}},
		"the list has every documented field, main flagged": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", nil)
			var d struct{ Images []map[string]any }
			_ = json.Unmarshal(r.env.Data, &d)
			for _, f := range []string{"name", "priority", "description", "changeTime", "seoName", "cdnName", "signedCdnNames", "isMainImage", "gallery"} {
				if _, ok := d.Images[0][f]; !ok {
					t.Errorf("field %s missing: %v", f, d.Images[0])
				}
			}
			if d.Images[0]["isMainImage"] != true || d.Images[1]["isMainImage"] != false || d.Images[0]["name"] != "1.jpg" {
				t.Errorf("images = %v", d.Images)
			}
		}},
		"an unknown product or gallery is 404": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			if r := call(t, srv, "GET", shoptettest.ImagesPath("95b84d4b-7481-11e8-8216-002590dad85e", "shop"), "", nil); r.status != 404 {
				t.Errorf("unknown product: %d", r.status)
			}
			if r := call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop3d"), "", nil); r.status != 404 {
				t.Errorf("unknown gallery: %d", r.status)
			}
		}},
		"an add is 202 with a jobId; the image appears when the job completes": {opts: []shoptettest.Option{shoptettest.WithJobTiming(shoptettest.JobTiming{Polls: 2})}, run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			r := call(t, srv, "POST", shoptettest.ImagesPath(guid, "shop"), `{"data":{"images":[{"sourceUrl":"https://img.example.com/x.jpg","priority":7,"description":"X"}]}}`, nil)
			var d struct{ JobID string }
			_ = json.Unmarshal(r.env.Data, &d)
			if r.status != 202 || d.JobID == "" {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			var statuses []string
			for range 3 {
				j := call(t, srv, "GET", shoptettest.JobPath(d.JobID), "", nil)
				var jd struct{ Job map[string]any }
				_ = json.Unmarshal(j.env.Data, &jd)
				statuses = append(statuses, fmt.Sprint(jd.Job["status"]))
				if imgs, _ := srv.Images(guid, "shop"); (len(imgs) == 3) != (jd.Job["status"] == "completed") {
					t.Errorf("job %v with %d images", jd.Job["status"], len(imgs))
				}
			}
			if got := strings.Join(statuses, ","); got != "running,completed,completed" {
				t.Errorf("statuses %s", got)
			}
		}},
		"async calls need the job:finished webhook: 403, nothing queued": {opts: []shoptettest.Option{shoptettest.WithoutWebhook()}, run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			r := call(t, srv, "POST", shoptettest.ImagesPath(guid, "shop"), `{"data":{"images":[{"sourceUrl":"https://img.example.com/x.jpg"}]}}`, nil)
			if r.status != 403 {
				t.Errorf("got %d %s", r.status, r.body)
			}
			r = call(t, srv, "PATCH", shoptettest.ImagesPath(guid, "shop")+"/source", `{"data":{"images":[{"name":"1.jpg","sourceUrl":"https://img.example.com/x.jpg"}]}}`, nil)
			if r.status != 403 || srv.JobStatus("j000001") != "" {
				t.Errorf("source: got %d %s", r.status, r.body)
			}
		}},
		"more than 100 rows is 413 and nothing is updated": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			r := call(t, srv, "PATCH", shoptettest.ImagesPath(guid, "shop"), rows(101, `{"name":"%d.jpg","priority":9}`), nil)
			imgs, _ := srv.Images(guid, "shop")
			if r.status != 413 || *imgs[0].Priority == 9 {
				t.Errorf("got %d %s", r.status, r.body)
			}
			if r := call(t, srv, "POST", shoptettest.ImagesPath(guid, "shop"), rows(101, `{"sourceUrl":"https://img.example.com/%d.jpg"}`), nil); r.status != 413 {
				t.Errorf("POST: got %d", r.status)
			}
		}},
		"a body off the schema is 422": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			for _, body := range []string{`{`, `{"data":{"images":[{"name":"1.jpg","prio":1}]}}`, `{"data":{"images":[]}}`, `{"data":{}}`} {
				if r := call(t, srv, "PATCH", shoptettest.ImagesPath(guid, "shop"), body, nil); r.status != 422 {
					t.Errorf("%s: got %d", body, r.status)
				}
			}
		}},
		"a PATCH with an unknown image is 200, the row skipped into errors": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			r := call(t, srv, "PATCH", shoptettest.ImagesPath(guid, "shop"), `{"data":{"images":[{"name":"1.jpg","description":"one"},{"name":"nope.jpg","priority":3}]}}`, nil)
			var d struct{ Images []map[string]any }
			_ = json.Unmarshal(r.env.Data, &d)
			if r.status != 200 || len(d.Images) != 1 || len(r.env.Errors) != 1 || r.env.Errors[0].Instance != "nope.jpg" {
				t.Errorf("got %d %s", r.status, r.body)
			}
		}},
		"an identical write during another is 423": {opts: []shoptettest.Option{shoptettest.WithLock(shoptettest.LockSameRequest, 3*time.Second)}, run: func(t *testing.T, srv *shoptettest.Server, clock *shopimgtest.Clock, guid string) {
			body := `{"data":{"images":[{"name":"1.jpg","priority":4}]}}`
			if r := call(t, srv, "PATCH", shoptettest.ImagesPath(guid, "shop"), body, nil); r.status != 200 {
				t.Fatalf("first: %d", r.status)
			}
			if r := call(t, srv, "PATCH", shoptettest.ImagesPath(guid, "shop"), body, nil); r.status != 423 {
				t.Errorf("same again: %d", r.status)
			}
			if r := call(t, srv, "PATCH", shoptettest.ImagesPath(guid, "shop"), strings.Replace(body, "4", "5", 1), nil); r.status != 200 {
				t.Errorf("another body: %d", r.status)
			}
			clock.Advance(3 * time.Second)
			if r := call(t, srv, "PATCH", shoptettest.ImagesPath(guid, "shop"), body, nil); r.status != 200 {
				t.Errorf("after the window: %d", r.status)
			}
		}},
		"a variant's image: 409 unless removeReference": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			if r := call(t, srv, "DELETE", shoptettest.ImagePath(guid, "shop", "2 v.jpg"), "", nil); r.status != 409 {
				t.Errorf("got %d", r.status)
			}
			if r := call(t, srv, "DELETE", shoptettest.ImagesPath(guid, "shop"), "", nil); r.status != 200 || len(r.env.Errors) != 1 {
				t.Errorf("gallery: got %d %s", r.status, r.body)
			}
			if r := call(t, srv, "DELETE", shoptettest.ImagePath(guid, "shop", "2 v.jpg")+"?removeReference=true", "", nil); r.status != 200 {
				t.Errorf("with removeReference: %d", r.status)
			}
		}},
		"the bucket header is on every answer; overflow is 429 with an HTTP-date Retry-After": {opts: []shoptettest.Option{shoptettest.WithBucket(3, 1)}, run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			var last raw
			for i := range 4 {
				last = call(t, srv, "GET", shoptettest.ImagesPath(guid, "shop"), "", nil)
				if want := fmt.Sprintf("%d/3", min(i+1, 3)); last.header.Get("X-RateLimit-Bucket-Filling") != want {
					t.Errorf("request %d: filling %q, want %s", i, last.header.Get("X-RateLimit-Bucket-Filling"), want)
				}
			}
			if at, err := http.ParseTime(last.header.Get("Retry-After")); last.status != 429 || err != nil || !at.After(epoch) {
				t.Errorf("overflow: %d, Retry-After %q", last.status, last.header.Get("Retry-After"))
			}
		}},
		"job detail beyond the try limit is 403 while unprocessed": {opts: []shoptettest.Option{shoptettest.WithJobTiming(shoptettest.JobTiming{Polls: 4}), shoptettest.WithJobDetailLimit(2)}, run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, guid string) {
			r := call(t, srv, "POST", shoptettest.ImagesPath(guid, "shop"), `{"data":{"images":[{"sourceUrl":"https://img.example.com/x.jpg"}]}}`, nil)
			var d struct{ JobID string }
			_ = json.Unmarshal(r.env.Data, &d)
			var got []int
			for range 4 {
				got = append(got, call(t, srv, "GET", shoptettest.JobPath(d.JobID), "", nil).status)
			}
			if fmt.Sprint(got) != "[200 200 403 200]" {
				t.Errorf("statuses %v", got)
			}
			if r := call(t, srv, "GET", shoptettest.JobPath("nope"), "", nil); r.status != 404 || r.env.Errors[0].ErrorCode != "job-not-found" {
				t.Errorf("unknown job: %d", r.status)
			}
		}},
		"the e-shop info lists the image cuts on demand": {run: func(t *testing.T, srv *shoptettest.Server, _ *shopimgtest.Clock, _ string) {
			r := call(t, srv, "GET", "/api/eshop?include=imageCuts", "", nil)
			if !strings.Contains(r.body, `"urlPath":"https://`+shoptettest.EshopHost+`/user/shop/big/"`) {
				t.Errorf("got %s", r.body)
			}
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, clock := newServer(t, tc.opts...)
			guid := srv.AddProduct(shoptettest.Image{Name: "1.jpg", Priority: new(1)}, shoptettest.Image{Name: "2 v.jpg", Priority: new(2), VariantImage: true})
			tc.run(t, srv, clock, guid)
		})
	}
}

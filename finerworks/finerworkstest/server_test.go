package finerworkstest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg/finerworks/finerworkstest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// answer is a raw HTTP answer of the fake.
type answer struct {
	status int
	ct     string
	text   string
	json   map[string]any
}

// send makes one raw request, with the server's keys unless keys is false.
func send(t *testing.T, srv *finerworkstest.Server, method, path, body string, keys bool) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if keys {
		req.Header["web_api_key"] = []string{srv.Credentials().WebAPIKey}
		req.Header["app_key"] = []string{srv.Credentials().AppKey}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, ct: resp.Header.Get("Content-Type"), text: string(b)}
	_ = json.Unmarshal(b, &a.json)
	return a
}

// library is an image_library object as the docs' examples show it.
func library(name string) string {
	return fmt.Sprintf(`{"name":%q,"session_id":"1234567890","account_key":"","site_id":0}`, name)
}

// get walks a decoded JSON value along keys and array indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func success(a answer) bool { return a.status == 200 && get(a.json, "status", "success") == true }

// failure reports whether a is a success-false envelope with code.
func failure(a answer, httpStatus, code int) bool {
	return a.status == httpStatus && get(a.json, "status", "success") == false && get(a.json, "status", "status_code") == float64(code)
}

func newServer(t *testing.T, opts ...finerworkstest.Option) *finerworkstest.Server {
	t.Helper()
	clock := shopimgtest.NewClock(time.Date(2026, 9, 3, 15, 50, 27, 0, time.UTC))
	srv := finerworkstest.NewServer(append([]finerworkstest.Option{finerworkstest.WithClock(clock)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// seed stores three images, titled c, a, b in the order added.
func seed(srv *finerworkstest.Server) []finerworkstest.Image {
	return srv.AddImages(finerworkstest.Inventory,
		finerworkstest.Image{Title: "c", Description: "Sunset over the bay", FileName: "c.jpg"},
		finerworkstest.Image{Title: "a", FileName: "a.jpg"},
		finerworkstest.Image{Title: "b", FileName: "b.jpg"},
	)
}

func titles(a answer) []string {
	var out []string
	for _, img := range get(a.json, "images").([]any) {
		out = append(out, img.(map[string]any)["title"].(string))
	}
	return out
}

// TestDocumentedBehaviour checks, over raw HTTP, what the vendor's help
// pages say the calls do.
func TestDocumentedBehaviour(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []finerworkstest.Option
		run  func(t *testing.T, srv *finerworkstest.Server)
	}{
		{"list: envelope, defaults (page 1, 10 per page)", nil, func(t *testing.T, srv *finerworkstest.Server) {
			a := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`}`, true)
			want := map[string]any{"status": map[string]any{"success": true, "status_code": float64(200), "message": "", "debug": nil},
				"images": []any{}, "page_number": float64(1), "per_page": float64(10), "count": float64(0)}
			if d := cmp.Diff(want, a.json); d != "" || a.status != 200 || !strings.HasPrefix(a.ct, "application/json") {
				t.Errorf("%d %s (-want +got):\n%s", a.status, a.ct, d)
			}
		}},
		{"list: default order is id descending", nil, func(t *testing.T, srv *finerworkstest.Server) {
			seed(srv)
			a := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`}`, true)
			if got := titles(a); !cmp.Equal(got, []string{"b", "a", "c"}) {
				t.Errorf("titles %v", got)
			}
		}},
		{"list: sort_field and sort_direction", nil, func(t *testing.T, srv *finerworkstest.Server) {
			seed(srv)
			a := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`,"sort_field":"title","sort_direction":"ASC"}`, true)
			b := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`,"sort_field":"id","sort_direction":"ASC"}`, true)
			if !cmp.Equal(titles(a), []string{"a", "b", "c"}) || !cmp.Equal(titles(b), []string{"c", "a", "b"}) {
				t.Errorf("by title %v, by id %v", titles(a), titles(b))
			}
		}},
		{"list: per_page up to 50, paging from 1", nil, func(t *testing.T, srv *finerworkstest.Server) {
			srv.AddImages(finerworkstest.Inventory, make([]finerworkstest.Image, 60)...)
			a := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`,"per_page":100}`, true)
			b := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`,"per_page":50,"page_number":2}`, true)
			if len(get(a.json, "images").([]any)) != 50 || get(a.json, "per_page") != float64(50) || get(a.json, "count") != float64(60) ||
				len(get(b.json, "images").([]any)) != 10 || get(b.json, "page_number") != float64(2) {
				t.Errorf("page 1 %v/%v, page 2 %d images", get(a.json, "per_page"), get(a.json, "count"), len(get(b.json, "images").([]any)))
			}
		}},
		{"list: filters", nil, func(t *testing.T, srv *finerworkstest.Server) {
			imgs := seed(srv)
			a := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`,"guid_filter":["`+imgs[1].GUID+`"]}`, true)
			b := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`,"search_filter":"SUNSET"}`, true)
			c := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("temporary")+`}`, true)
			if !cmp.Equal(titles(a), []string{"a"}) || !cmp.Equal(titles(b), []string{"c"}) || len(titles(c)) != 0 {
				t.Errorf("guid %v, search %v, temporary %v", titles(a), titles(b), titles(c))
			}
		}},
		{"list: image_details fields", nil, func(t *testing.T, srv *finerworkstest.Server) {
			srv.AddImages(finerworkstest.Inventory, finerworkstest.Image{Title: "t", FileName: "f.jpg", FileSize: 11000024, PixW: 1600, PixH: 2400,
				PublicThumbnailURI: "https://somewhere.com/t.jpg", PublicPreviewURI: "https://somewhere.com/p.jpg", PrivateHiresURI: "https://somewhere.com/h.jpg", Active: true})
			a := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`}`, true)
			img := get(a.json, "images", 0).(map[string]any)
			for _, k := range []string{"id", "guid", "title", "description", "file_name", "file_size", "thumbnail_file_name", "preview_file_name", "hires_file_name",
				"public_thumbnail_uri", "public_preview_uri", "private_hires_uri", "personal_gallery_title", "members_gallery_category", "pix_w", "pix_h",
				"date_added", "date_expires", "active", "products"} {
				if _, ok := img[k]; !ok {
					t.Errorf("image_details lacks %s", k)
				}
			}
			if img["date_added"] != "2026-09-03T15:50:27.0000000Z" || img["pix_h"] != float64(2400) {
				t.Errorf("date_added %v, pix_h %v", img["date_added"], img["pix_h"])
			}
		}},
		{"bad keys: 400 ModelState", nil, func(t *testing.T, srv *finerworkstest.Server) {
			a := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`}`, false)
			want := map[string]any{"Message": "The request is invalid.", "ModelState": map[string]any{"ApiC.Models.authorization_credentials": []any{"Missing or unauthorized api credentials"}}}
			if d := cmp.Diff(want, a.json); d != "" || a.status != 400 {
				t.Errorf("%d (-want +got):\n%s", a.status, d)
			}
		}},
		{"bad keys: text/html 400", []finerworkstest.Option{finerworkstest.WithAuthFailure(finerworkstest.AuthHTML)}, func(t *testing.T, srv *finerworkstest.Server) {
			a := send(t, srv, "GET", "/v3/test_my_credentials", "", false)
			if a.status != 400 || !strings.HasPrefix(a.ct, "text/html") || !strings.Contains(a.text, "Invalid app_key") {
				t.Errorf("%d %s %q", a.status, a.ct, a.text)
			}
		}},
		{"test_my_credentials", nil, func(t *testing.T, srv *finerworkstest.Server) {
			if a := send(t, srv, "GET", "/v3/test_my_credentials", "", true); !success(a) {
				t.Errorf("%d %s", a.status, a.text)
			}
			if a := send(t, srv, "POST", "/v3/test_my_credentials", "{}", true); a.status != 405 || a.json["Message"] == nil {
				t.Errorf("POST: %d %s", a.status, a.text)
			}
		}},
		{"library: required, session_id 8..50, name inventory or temporary", nil, func(t *testing.T, srv *finerworkstest.Server) {
			none := send(t, srv, "POST", "/v3/list_images", `{}`, true)
			short := send(t, srv, "POST", "/v3/list_images", `{"library":{"name":"inventory","session_id":"1234567","site_id":0}}`, true)
			noSite := send(t, srv, "POST", "/v3/list_images", `{"library":{"name":"inventory","session_id":"12345678"}}`, true)
			name := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("gallery")+`}`, true)
			if none.status != 400 || short.status != 400 || noSite.status != 400 || none.json["ModelState"] == nil || !failure(name, 200, 400) {
				t.Errorf("no library %d, short session %d, no site %d, bad name %d %s", none.status, short.status, noSite.status, name.status, name.text)
			}
		}},
		{"add: up to 5, registered from URIs", []finerworkstest.Option{finerworkstest.WithAddAnswer(finerworkstest.AddAnswerImages)}, func(t *testing.T, srv *finerworkstest.Server) {
			img := `{"title":"My Cool Image","file_name":"my cool.jpg","public_preview_uri":"https://somewhere.com/p.jpg","private_hires_uri":"https://somewhere.com/h.jpg","pix_w":1600,"pix_h":2400}`
			a := send(t, srv, "POST", "/v3/add_images", `{"images":[`+img+`],"library":`+library("temporary")+`}`, true)
			six := send(t, srv, "POST", "/v3/add_images", `{"images":[`+strings.Repeat(img+",", 5)+img+`],"library":`+library("inventory")+`}`, true)
			stored := srv.Images(finerworkstest.Temporary)
			if !success(a) || len(stored) != 1 || get(a.json, "images", 0, "guid") != stored[0].GUID || stored[0].PrivateHiresURI != "https://somewhere.com/h.jpg" ||
				stored[0].FileName != "my_cool.jpg" || stored[0].DateExpires.IsZero() {
				t.Errorf("add: %s; stored %+v", a.text, stored)
			}
			if !failure(six, 200, 400) || len(srv.Images(finerworkstest.Inventory)) != 0 {
				t.Errorf("six images: %s", six.text)
			}
		}},
		{"add: status only by default", nil, func(t *testing.T, srv *finerworkstest.Server) {
			a := send(t, srv, "POST", "/v3/add_images", `{"images":[{"file_name":"a.jpg","private_hires_uri":"https://x.example.com/a.jpg"}],"library":`+library("inventory")+`}`, true)
			if !success(a) || len(a.json) != 1 || len(srv.Images(finerworkstest.Inventory)) != 1 {
				t.Errorf("%s", a.text)
			}
		}},
		{"update: title and description by guid", nil, func(t *testing.T, srv *finerworkstest.Server) {
			imgs := seed(srv)
			a := send(t, srv, "PUT", "/v3/update_images", `{"images":[{"guid":"`+imgs[0].GUID+`","title":"My Cool Image","description":"This is a very cool image."}],"account_key":null}`, true)
			got := srv.Images(finerworkstest.Inventory)[0]
			if !success(a) || got.Title != "My Cool Image" || got.Description != "This is a very cool image." || got.DateUpdated.IsZero() {
				t.Errorf("%s; stored %+v", a.text, got)
			}
			b := send(t, srv, "PUT", "/v3/update_images", `{"images":[{"guid":"`+imgs[1].GUID+`","title":"x"}]}`, true)
			if !success(b) || srv.Images(finerworkstest.Inventory)[1].Title != "x" || srv.Images(finerworkstest.Inventory)[0].Description == "" {
				t.Errorf("partial update: %s", b.text)
			}
		}},
		{"update: unknown guid fails, echoing the request in debug", nil, func(t *testing.T, srv *finerworkstest.Server) {
			imgs := seed(srv)
			a := send(t, srv, "PUT", "/v3/update_images", `{"images":[{"guid":"`+imgs[0].GUID+`","title":"x"},{"guid":"eaedbfbc-aee8-408f-9a80-43bda4e94de7","title":"y"}]}`, true)
			if !failure(a, 200, 404) || srv.Images(finerworkstest.Inventory)[0].Title != "c" || get(a.json, "status", "debug", "path") != "/v3/update_images" {
				t.Errorf("%s", a.text)
			}
		}},
		{"update: unknown guid ignored", []finerworkstest.Option{finerworkstest.WithUnknownGUID(finerworkstest.UnknownGUIDIgnored)}, func(t *testing.T, srv *finerworkstest.Server) {
			imgs := seed(srv)
			a := send(t, srv, "PUT", "/v3/update_images", `{"images":[{"guid":"`+imgs[0].GUID+`","title":"x"},{"guid":"eaedbfbc-aee8-408f-9a80-43bda4e94de7","title":"y"}]}`, true)
			if !success(a) || srv.Images(finerworkstest.Inventory)[0].Title != "x" {
				t.Errorf("%s", a.text)
			}
		}},
		{"delete: DELETE with a JSON body", nil, func(t *testing.T, srv *finerworkstest.Server) {
			imgs := seed(srv)
			a := send(t, srv, "DELETE", "/v3/delete_images", `{"guids":["`+imgs[0].GUID+`","`+imgs[2].GUID+`"],"library":`+library("inventory")+`}`, true)
			wrong := send(t, srv, "DELETE", "/v3/delete_images", `{"guids":["`+imgs[1].GUID+`"],"library":`+library("temporary")+`}`, true)
			left := srv.Images(finerworkstest.Inventory)
			if !success(a) || len(left) != 1 || left[0].GUID != imgs[1].GUID || !failure(wrong, 200, 404) {
				t.Errorf("delete %s; other library %s; left %d", a.text, wrong.text, len(left))
			}
			if get := send(t, srv, "GET", "/v3/delete_images", "", true); get.status != 405 {
				t.Errorf("GET: %d", get.status)
			}
		}},
		{"limits of update and delete", []finerworkstest.Option{finerworkstest.WithMaxUpdateImages(1), finerworkstest.WithMaxDeleteImages(1)}, func(t *testing.T, srv *finerworkstest.Server) {
			imgs := seed(srv)
			a := send(t, srv, "PUT", "/v3/update_images", `{"images":[{"guid":"`+imgs[0].GUID+`"},{"guid":"`+imgs[1].GUID+`"}]}`, true)
			b := send(t, srv, "DELETE", "/v3/delete_images", `{"guids":["`+imgs[0].GUID+`","`+imgs[1].GUID+`"],"library":`+library("inventory")+`}`, true)
			if !failure(a, 200, 400) || !failure(b, 200, 400) || len(srv.Images(finerworkstest.Inventory)) != 3 {
				t.Errorf("%s; %s", a.text, b.text)
			}
		}},
		{"failures in the HTTP status", []finerworkstest.Option{finerworkstest.WithErrorStatusInHTTP()}, func(t *testing.T, srv *finerworkstest.Server) {
			a := send(t, srv, "DELETE", "/v3/delete_images", `{"guids":["eaedbfbc-aee8-408f-9a80-43bda4e94de7"],"library":`+library("inventory")+`}`, true)
			if !failure(a, 404, 404) {
				t.Errorf("%d %s", a.status, a.text)
			}
		}},
		{"count is the page's size", []finerworkstest.Option{finerworkstest.WithCount(finerworkstest.CountPage)}, func(t *testing.T, srv *finerworkstest.Server) {
			srv.AddImages(finerworkstest.Inventory, make([]finerworkstest.Image, 12)...)
			a := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`}`, true)
			if get(a.json, "count") != float64(10) {
				t.Errorf("count %v", get(a.json, "count"))
			}
		}},
		{"numbers as strings", []finerworkstest.Option{finerworkstest.WithNumbersAsStrings()}, func(t *testing.T, srv *finerworkstest.Server) {
			seed(srv)
			a := send(t, srv, "POST", "/v3/list_images", `{"library":`+library("inventory")+`}`, true)
			if get(a.json, "count") != "3" || get(a.json, "status", "status_code") != "200" || get(a.json, "images", 0, "id") != "1003" {
				t.Errorf("%s", a.text)
			}
		}},
		{"not JSON, unknown path", nil, func(t *testing.T, srv *finerworkstest.Server) {
			a := send(t, srv, "POST", "/v3/add_images", `{"images":`, true)
			b := send(t, srv, "POST", "/v3/upload_images", `{}`, true)
			if a.status != 400 || a.json["ModelState"] == nil || b.status != 404 || b.json["Message"] == nil {
				t.Errorf("%d %s; %d %s", a.status, a.text, b.status, b.text)
			}
		}},
		{"quota: 429 with Retry-After", []finerworkstest.Option{finerworkstest.WithQuota(2, time.Minute)}, func(t *testing.T, srv *finerworkstest.Server) {
			for range 2 {
				send(t, srv, "GET", "/v3/test_my_credentials", "", true)
			}
			req, _ := http.NewRequest("GET", srv.URL+"/v3/test_my_credentials", nil)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "60" {
				t.Errorf("%d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}},
		{"recorded keys are redacted", nil, func(t *testing.T, srv *finerworkstest.Server) {
			send(t, srv, "GET", "/v3/test_my_credentials", "", true)
			r := srv.Recorder().Requests()[0]
			if r.Header.Get("web_api_key") != finerworkstest.Redacted || r.Header.Get("app_key") != finerworkstest.Redacted {
				t.Errorf("recorded headers %v", r.Header)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newServer(t, tc.opts...))
		})
	}
}

package finerworks_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
	"github.com/shopimg/shopimg/internal/benchcmp"
)

// rawImage is an image as a hand-written client would decode it.
type rawImage struct {
	ID                 int64  `json:"id"`
	GUID               string `json:"guid"`
	Title              string `json:"title"`
	Description        string `json:"description"`
	FileName           string `json:"file_name"`
	FileSize           int64  `json:"file_size"`
	PublicThumbnailURI string `json:"public_thumbnail_uri"`
	PublicPreviewURI   string `json:"public_preview_uri"`
	PrivateHiresURI    string `json:"private_hires_uri"`
	PixW               int    `json:"pix_w"`
	PixH               int    `json:"pix_h"`
	DateAdded          string `json:"date_added"`
	DateUpdated        string `json:"date_updated"`
	Active             bool   `json:"active"`
}

// rawPage is the hand-written baseline: one POST of list_images with
// net/http and encoding/json, as a user would write it without this
// library.
func rawPage(hc *http.Client, base string, creds finerworks.Credentials, page, perPage int) ([]rawImage, error) {
	body, _ := json.Marshal(map[string]any{
		"library":     map[string]any{"name": "inventory", "session_id": "bench-session-0001", "account_key": "", "site_id": 0},
		"page_number": page, "per_page": perPage, "sort_field": "id", "sort_direction": "ASC",
	})
	req, err := http.NewRequest(http.MethodPost, base+"/v3/list_images", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header["web_api_key"] = []string{creds.WebAPIKey}
	req.Header["app_key"] = []string{creds.AppKey}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var out struct {
		Status struct {
			Success bool `json:"success"`
		} `json:"status"`
		Images []rawImage `json:"images"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body) // the rest, so the connection is reused
	if !out.Status.Success {
		return nil, fmt.Errorf("success false")
	}
	return out.Images, nil
}

// rawList is the baseline of the adapter's List: every page until a short
// one, sorted by id.
func rawList(hc *http.Client, base string, creds finerworks.Credentials) ([]rawImage, error) {
	var all []rawImage
	for page := 1; ; page++ {
		imgs, err := rawPage(hc, base, creds, page, finerworks.MaxPerPage)
		if err != nil {
			return nil, err
		}
		all = append(all, imgs...)
		if len(imgs) < finerworks.MaxPerPage {
			break
		}
	}
	slices.SortStableFunc(all, func(a, b rawImage) int { return cmp.Compare(a.ID, b.ID) })
	return all, nil
}

// BenchmarkListOverhead compares the library with the hand-written baseline
// against the same fake server, on one page (typed ListImages vs one POST)
// and on a whole library (adapter List vs the POST loop), and reports the
// ratios time-ratio and allocs-ratio (library / baseline, server included,
// since both talk to the same fake over loopback) and the library's extra
// ns and allocs per call.
//
//	go test -run '^$' -bench ListOverhead -benchtime 2000x ./finerworks/
func BenchmarkListOverhead(b *testing.B) {
	for _, size := range []int{50, 220} {
		f := newFixture(b, finerworkstest.WithMaxRecords(-1))
		imgs := make([]finerworkstest.Image, size)
		for i := range imgs {
			u := fmt.Sprintf("https://cdn.example.com/prints/print-%d.jpg", i)
			imgs[i] = finerworkstest.Image{Title: fmt.Sprint("Print ", i), Description: "Giclée on cotton rag", FileName: fmt.Sprintf("print-%d.jpg", i),
				FileSize: 11000024, PrivateHiresURI: u, PublicPreviewURI: u, PublicThumbnailURI: u, PixW: 1600, PixH: 2400, Active: true}
		}
		f.srv.AddImages(finerworkstest.Inventory, imgs...)
		hc, base, creds := f.srv.Client(), f.srv.URL, f.srv.Credentials()
		images := f.client.ProductImages()
		cases := []struct {
			name      string
			want      int
			lib, base func() (int, error)
		}{
			{"page", min(size, finerworks.MaxPerPage), func() (int, error) {
				p, _, err := f.client.ListImages(ctx, &finerworks.ListImagesRequest{SortField: finerworks.SortByID, SortDirection: finerworks.Ascending})
				if err != nil {
					return 0, err
				}
				return len(p.Images), nil
			}, func() (int, error) {
				l, err := rawPage(hc, base, creds, 1, finerworks.MaxPerPage)
				return len(l), err
			}},
			{"List", size, func() (int, error) {
				l, err := images.List(ctx, "inventory")
				return len(l), err
			}, func() (int, error) {
				l, err := rawList(hc, base, creds)
				return len(l), err
			}},
		}
		for _, tc := range cases {
			b.Run(fmt.Sprintf("%s/images=%d", tc.name, size), func(b *testing.B) {
				count := func(fn func() (int, error)) benchcmp.Call {
					return func() error {
						if n, err := fn(); err != nil || n != tc.want {
							return fmt.Errorf("got %d images, %v", n, err)
						}
						return nil
					}
				}
				benchcmp.Compare(b, count(tc.lib), count(tc.base))
			})
		}
	}
}

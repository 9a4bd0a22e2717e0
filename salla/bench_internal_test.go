package salla

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopimg/shopimg/internal/benchcmp"
	"github.com/shopimg/shopimg/internal/rest"
)

// BenchmarkListOverheadFixedCredential is BenchmarkListOverhead's typed
// case with the token declared to the core as a fixed value instead of a
// Source: the difference is what the core spends per call on a dynamic
// credential (it builds the redactor of the token sent on every call),
// measured on a server that answers a fixed 10-image product.
//
//	go test -run '^$' -bench FixedCredential -benchtime 2000x ./salla/
func BenchmarkListOverheadFixedCredential(b *testing.B) {
	var imgs []string
	for i := range 10 {
		imgs = append(imgs, fmt.Sprintf(`{"id":%d,"url":"https://cdn.salla.sa/fake/%d-seed.jpg","main":%v,"three_d_image_url":"","alt":"image %d","video_url":"","type":"image","sort":%d}`, 1908361101+i, 1908361101+i, i == 0, i, (10-i)*1024))
	}
	body := []byte(`{"status":200,"success":true,"data":{"id":7,"name":"Product 7","sku":"","main_image":"","thumbnail":"","images":[` + strings.Join(imgs, ",") + `]}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	const token = "fixed-token-value"
	s := rest.DefaultSettings(srv.URL)
	s.HTTPClient = srv.Client()
	rc, err := rest.New(rest.Config{Settings: s, Platform: platform, Credentials: []rest.Credential{{Header: headerAuthorization, Prefix: "Bearer ", Value: token}}, DecodeError: decodeError, ReadRate: rateReader(s.Clock)})
	if err != nil {
		b.Fatal(err)
	}
	c := &Client{rc: rc, maxImages: DefaultMaxImages}
	ctx := context.Background()
	base := func() error {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/products/7", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var env productEnvelope
		return jsonDecode(resp, &env)
	}
	b.Run("fixed", func(b *testing.B) {
		benchcmp.Compare(b, func() error { _, _, err := c.GetProduct(ctx, 7); return err }, base)
	})
	s.HTTPClient = srv.Client()
	rc2, err := rest.New(rest.Config{Settings: s, Platform: platform, Credentials: []rest.Credential{{Header: headerAuthorization, Prefix: "Bearer ", Source: func(context.Context) (string, error) { return token, nil }}}, DecodeError: decodeError, ReadRate: rateReader(s.Clock)})
	if err != nil {
		b.Fatal(err)
	}
	c2 := &Client{rc: rc2, maxImages: DefaultMaxImages}
	b.Run("source", func(b *testing.B) {
		benchcmp.Compare(b, func() error { _, _, err := c2.GetProduct(ctx, 7); return err }, base)
	})
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

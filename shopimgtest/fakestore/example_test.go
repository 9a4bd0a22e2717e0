package fakestore_test

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

type image struct {
	ID  int64  `json:"id"`
	URL string `json:"image_url"`
}

// newFake is a minimal vendor fake: the wire format on a mux, the rest from
// fakestore.
func newFake() (*fakestore.Server, *fakestore.Catalog[image]) {
	cat := fakestore.NewCatalog[image](fakestore.CatalogOptions{FirstID: 100})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /products/{id}/images", func(w http.ResponseWriter, r *http.Request) {
		var in image
		if err := fakestore.ReadJSON(r, &in, 0); err != nil {
			fakestore.WriteJSON(w, http.StatusBadRequest, map[string]string{"title": err.Error()})
			return
		}
		err := cat.Update(r.PathValue("id"), func(p *fakestore.Product[image]) error {
			in.ID = cat.NextID()
			p.Images = append(p.Images, in)
			return nil
		})
		if errors.Is(err, fakestore.ErrNoProduct) {
			fakestore.WriteJSON(w, http.StatusNotFound, map[string]string{"title": "product not found"})
			return
		}
		fakestore.WriteJSON(w, http.StatusOK, map[string]any{"data": in})
	})
	srv := fakestore.NewServer(mux, fakestore.Options{
		Quota: &fakestore.FixedWindow{Limit: 150, Window: 30 * time.Second},
		QuotaHeaders: func(h http.Header, s fakestore.QuotaState) {
			h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(s.Remaining))
		},
	})
	return srv, cat
}

// An AfterApply fault makes the write happen while the client sees a
// failure: the case a client must report as shopimg.ErrOutcomeUnknown.
func Example() {
	srv, cat := newFake()
	defer srv.Close()
	cat.AddProduct("7")

	srv.Faults().Add(fakestore.Fault{Method: "POST", Path: "/products/*", AfterApply: true, Status: http.StatusBadGateway})
	resp, err := srv.Client().Post(srv.URL+"/products/7/images", "application/json", strings.NewReader(`{"image_url":"https://cdn.example/a.jpg"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()

	imgs, _ := cat.Images("7")
	fmt.Println("client saw:", resp.StatusCode, "quota left:", resp.Header.Get("X-Rate-Limit-Requests-Left"))
	fmt.Println("stored:", imgs)
	fmt.Println("POSTs:", srv.Recorder().Count("POST", ""), "faults fired:", srv.Faults().Fired())
	// Output:
	// client saw: 502 quota left: 149
	// stored: [{100 https://cdn.example/a.jpg}]
	// POSTs: 1 faults fired: 1
}

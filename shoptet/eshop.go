package shoptet

import (
	"context"
	"net/http"
	"net/url"

	"github.com/shopimg/shopimg/internal/rest"
)

// ImageCut is one size the e-shop renders its images in, with the base URLs
// to append an image's file name to.
type ImageCut struct {
	// Name is the cut: "orig", "big", "detail", "category", "related".
	Name string `json:"name"`
	// Width and Height are the cut's size in pixels (0 for "orig").
	Width  int `json:"width"`
	Height int `json:"height"`
	// URLPath is the base URL of up-to-date, uncached images, ending in
	// "/": append Image.Name (or SeoName).
	URLPath string `json:"urlPath"`
	// CDNPath is the base URL of cached images, ending in "/": append the
	// signed name (Image.CdnNameFor).
	CDNPath string `json:"cdnPath"`
}

// ImageURL returns the cut's URL of the image named name: URLPath followed
// by the name escaped as one path segment ("" when URLPath is empty).
func (c ImageCut) ImageURL(name ImageName) string {
	if c.URLPath == "" {
		return ""
	}
	return c.URLPath + url.PathEscape(string(name))
}

// eshopCuts is the part of the e-shop info answer the client reads.
type eshopCuts struct {
	ImageCuts []ImageCut `json:"imageCuts"`
}

// eshopBody is an e-shop info answer; one without data is an error.
type eshopBody envelope[eshopCuts]

// CheckBody implements rest.BodyChecker.
func (b *eshopBody) CheckBody(e *APIError) bool {
	if b.Data != nil {
		return false
	}
	(*envelope[eshopCuts])(b).fill(e)
	if len(b.Errors) == 0 {
		e.Message = "the answer has no data"
	}
	return true
}

// ImageCuts returns the e-shop's image cuts, whose URLPath or CDNPath,
// followed by an image's name, is the image's URL in that size.
//
// GET /api/eshop?include=imageCuts
// https://api.docs.shoptet.com/shoptet-api/openapi/eshop/geteshopinfo
func (c *Client) ImageCuts(ctx context.Context) ([]ImageCut, *Response, error) {
	var body eshopBody
	resp, err := c.do(ctx, &rest.Request{Method: http.MethodGet, Path: "api/eshop", Query: url.Values{"include": {"imageCuts"}}}, &body)
	if err != nil {
		return nil, resp, err
	}
	return body.Data.ImageCuts, resp, nil
}

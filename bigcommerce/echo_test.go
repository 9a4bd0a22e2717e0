package bigcommerce_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/internal/echotest"
)

// TestNoCredentialInErrorsOrLogs runs the credential-echo test: a server
// echoes every request header, the path and the query in v3 error bodies,
// HTML pages (also with status 200) and plain text, raw and encoded; no
// error, field, log line or printed client may hold the token.
func TestNoCredentialInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const token = "bc-Secret-Token-7f3a9c2e"
	echotest.Run(t, echotest.Vendor{
		Secrets: []string{token},
		New: func(base string, logger *slog.Logger) (shopimg.ProductImages, []any, error) {
			c, err := bigcommerce.NewClient("abc123", token, bigcommerce.WithBaseURL(base), bigcommerce.WithLogger(logger), bigcommerce.WithRetry(shopimg.RetryPolicy{}))
			if err != nil {
				return nil, nil, err
			}
			return c.ProductImages(), []any{c}, nil
		},
		ProductID: "111", ImageID: "5",
		IsListing: func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/images")
		},
		Listing: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprint(w, `{"data":[{"id":5,"product_id":111,"is_thumbnail":true,"sort_order":0,"description":"x"}],"meta":{"pagination":{"total":1,"count":1,"per_page":250,"current_page":1,"total_pages":1}}}`)
		},
		ErrorBody: func(status int, text string) string {
			b, _ := json.Marshal(map[string]any{"status": status, "title": text, "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes", "errors": map[string]string{"image_url": text}})
			return string(b)
		},
	})
}

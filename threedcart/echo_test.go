package threedcart_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/echotest"
	"github.com/shopimg/shopimg/threedcart"
)

// TestNoCredentialInErrorsOrLogs runs the credential-echo test: a server
// echoes every request header (SecureURL, PrivateKey, Token), the path and
// the query in result arrays (also with status 200, the way 3dcart reports
// failed writes), HTML pages and plain text, raw and encoded; no error,
// field, log line or printed client may hold a credential.
func TestNoCredentialInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	creds := threedcart.Credentials{SecureURL: "https://secret-store.3dcartstores.com", PrivateKey: "pk-Private-Key-0a1b2c3d", Token: "tk-Store-Token-9z8y7x"}
	result := func(status int, text string) string {
		b, _ := json.Marshal([]map[string]string{{"Key": "ImageGalleryID", "Value": text, "Status": fmt.Sprint(status), "Message": text}})
		return string(b)
	}
	echotest.Run(t, echotest.Vendor{
		Secrets: []string{creds.SecureURL, creds.PrivateKey, creds.Token},
		New: func(base string, logger *slog.Logger) (shopimg.ProductImages, []any, error) {
			c, err := threedcart.NewClient(creds, threedcart.WithBaseURL(base), threedcart.WithLogger(logger), threedcart.WithRetry(shopimg.RetryPolicy{}))
			if err != nil {
				return nil, nil, err
			}
			return c.ProductImages(), []any{c, creds}, nil
		},
		ProductID: "7", ImageID: "5",
		IsListing: func(r *http.Request) bool { return r.Method == http.MethodGet },
		Listing: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Query().Get("offset") != "0" {
				w.WriteHeader(http.StatusNotFound) // past the end
				return
			}
			_, _ = fmt.Fprint(w, `[{"ImageGalleryID":5,"ImageGalleryFile":"assets/a.jpg","ImageGalleryCaption":"x","ImageGallerySorting":1}]`)
		},
		ErrorBody: result,
		Envelope:  func(text string) string { return result(400, text) },
	})
}

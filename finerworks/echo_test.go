package finerworks_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/internal/echotest"
)

// TestNoCredentialInErrorsOrLogs runs the credential-echo test: a server
// echoes every request header (web_api_key, app_key), the path and the
// query in ModelState bodies, in the status envelope's message and debug
// (also with HTTP 200, the way FinerWorks reports failures), HTML pages and
// plain text, raw and encoded; no error, field, log line or printed client
// may hold a key.
func TestNoCredentialInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const guid = "eaedbfbc-aee8-408f-9a80-43bda4e94de7"
	envelope := func(code int, text string) string {
		b, _ := json.Marshal(map[string]any{"status": map[string]any{"success": false, "status_code": code, "message": text, "debug": text}})
		return string(b)
	}
	echotest.Run(t, echotest.Vendor{
		Secrets: []string{secretCreds.WebAPIKey, secretCreds.AppKey},
		New: func(base string, logger *slog.Logger) (shopimg.ProductImages, []any, error) {
			c, err := finerworks.NewClient(secretCreds, finerworks.WithBaseURL(base), finerworks.WithLogger(logger), finerworks.WithRetry(shopimg.RetryPolicy{}))
			if err != nil {
				return nil, nil, err
			}
			return c.ProductImages(), []any{c, secretCreds}, nil
		},
		ProductID: "inventory", ImageID: guid,
		IsListing: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/list_images") },
		Listing: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"status":{"success":true,"status_code":200},"images":[{"id":5,"guid":%q,"title":"x"}],"page_number":1,"per_page":50,"count":1}`, guid)
		},
		ErrorBody: func(status int, text string) string {
			if status == 400 {
				b, _ := json.Marshal(map[string]any{"Message": text, "ModelState": map[string][]string{"ApiC.Models.authorization_credentials": {text}}})
				return string(b)
			}
			return envelope(status, text)
		},
		Envelope: func(text string) string { return envelope(400, text) },
	})
}

package shoptet_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/echotest"
	"github.com/shopimg/shopimg/shoptet"
)

// echoEnvelope renders Shoptet's envelope with text as an error's code,
// message and instance.
func echoEnvelope(text string) string {
	b, _ := json.Marshal(map[string]any{
		"data":     nil,
		"errors":   []map[string]string{{"errorCode": "echo", "message": text, "instance": text}},
		"metadata": map[string]string{"requestId": "019c8c34-64f3-7328-af43-bf1e34fa39d7"},
	})
	return string(b)
}

const echoGUID = "95b84d4b-7481-11e8-8216-002590dad85e"

func echoListing(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprint(w, `{"data":{"images":[{"name":"5.jpg","priority":1,"description":"x","changeTime":null,"seoName":"5.jpg","cdnName":"5.jpg","signedCdnNames":null,"isMainImage":true,"gallery":"shop"}]},"errors":null,"metadata":{"requestId":"r"}}`)
}

func echoIsListing(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/images/shop")
}

// TestNoCredentialInErrorsOrLogs runs the credential-echo test with a
// private API token: a server echoes every request header, the path and
// the query in Shoptet envelopes (4xx, 5xx, and 200 with errors beside the
// data, the way Shoptet reports skipped rows), HTML pages and plain text,
// raw and encoded; no error, field, log line or printed client may hold
// the token.
func TestNoCredentialInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const token = "st-Private-Token-5e1f0a9b"
	echotest.Run(t, echotest.Vendor{
		Secrets: []string{token},
		New: func(base string, logger *slog.Logger) (shopimg.ProductImages, []any, error) {
			creds := shoptet.Credentials{PrivateAPIToken: token}
			c, err := shoptet.NewClient(creds, shoptet.WithBaseURL(base), shoptet.WithLogger(logger), shoptet.WithRetry(shopimg.RetryPolicy{}))
			if err != nil {
				return nil, nil, err
			}
			return c.ProductImages(), []any{c, creds}, nil
		},
		ProductID: echoGUID, ImageID: "5.jpg",
		IsListing: echoIsListing,
		Listing:   echoListing,
		ErrorBody: func(_ int, text string) string { return echoEnvelope(text) },
		Envelope:  echoEnvelope,
	})
}

// TestNoAddonCredentialInErrorsOrLogs runs it as an addon: the OAuth
// access token goes to the e-shop's OAuth server (here the same echoing
// server, which also answers its token requests), the API access token it
// returns to the API; neither may show.
func TestNoAddonCredentialInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const oauth, access = "oa-OAuth-Token-7d6c5b4a", "ac-Access-Token-3e2d1c0b"
	echotest.Run(t, echotest.Vendor{
		Secrets: []string{oauth, access},
		New: func(base string, logger *slog.Logger) (shopimg.ProductImages, []any, error) {
			src, err := shoptet.NewAccessTokenSource(base, oauth, shoptet.WithLogger(logger), shoptet.WithRetry(shopimg.RetryPolicy{}))
			if err != nil {
				return nil, nil, err
			}
			creds := shoptet.Credentials{AccessTokens: src}
			c, err := shoptet.NewClient(creds, shoptet.WithBaseURL(base), shoptet.WithLogger(logger), shoptet.WithRetry(shopimg.RetryPolicy{}))
			if err != nil {
				return nil, nil, err
			}
			return c.ProductImages(), []any{c, creds, src}, nil
		},
		ProductID: echoGUID, ImageID: "5.jpg",
		IsListing: func(r *http.Request) bool {
			return strings.HasSuffix(r.URL.Path, "/getAccessToken") || echoIsListing(r)
		},
		Listing: func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/getAccessToken") {
				w.Header().Set("Content-Type", "application/json")
				_, _ = fmt.Fprintf(w, `{"access_token":%q,"expires_in":1800}`, access)
				return
			}
			echoListing(w, r)
		},
		ErrorBody: func(_ int, text string) string { return echoEnvelope(text) },
		Envelope:  echoEnvelope,
	})
}

package salla_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/echotest"
	"github.com/shopimg/shopimg/salla"
)

// TestNoCredentialInErrorsOrLogs runs the credential-echo test: a server
// echoes every request header, the path and the query in Salla error
// bodies, HTML pages (also with status 200), plain text and 200 envelopes
// with success false, raw and encoded; no error, field, log line or
// printed client may hold the access token.
func TestNoCredentialInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const token = "salla-Secret-Token-7f3a9c2e"
	echotest.Run(t, echotest.Vendor{
		Secrets: []string{token},
		New: func(base string, logger *slog.Logger) (shopimg.ProductImages, []any, error) {
			ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})
			c, err := salla.NewClient(ts, salla.WithBaseURL(base), salla.WithLogger(logger), salla.WithRetry(shopimg.RetryPolicy{}))
			if err != nil {
				return nil, nil, err
			}
			return c.ProductImages(), []any{c}, nil
		},
		ProductID: "111", ImageID: "5",
		IsListing: func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/products/111")
		},
		Listing: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprint(w, `{"status":200,"success":true,"data":{"id":111,"images":[{"id":5,"url":"https://cdn.salla.sa/x.png","main":true,"alt":"x","type":"image","sort":1024}]}}`)
		},
		ErrorBody: func(status int, text string) string {
			b, _ := json.Marshal(map[string]any{"status": status, "success": false, "error": map[string]any{"code": text, "message": text, "fields": map[string][]string{"photo": {text}}}})
			return string(b)
		},
		Envelope: func(text string) string {
			b, _ := json.Marshal(map[string]any{"status": 422, "success": false, "error": map[string]any{"code": "error", "message": text, "fields": map[string][]string{text: {text}}}})
			return string(b)
		},
	})
}

// TestTokenErrorsHoldNoSecret: a token endpoint that echoes the refresh
// token and the client secret in its error_description gives an error
// without them.
func TestTokenErrorsHoldNoSecret(t *testing.T) {
	t.Parallel()
	const secret, refresh = "client-Secret-99aa77", "refresh-Token-55bb33"
	srv := httptestEcho(t)
	cfg := &oauth2.Config{ClientID: "id", ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: srv + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	ts, err := salla.NewTokenSource(cfg, &oauth2.Token{RefreshToken: refresh}, func(ctxT, *oauth2.Token) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.Token()
	if err == nil {
		t.Fatal("no error")
	}
	echotest.CheckError(t, "refresh", err, []string{secret, refresh})
	_, err = salla.Exchange(ctx, cfg, "the-Code-Value-1234", nil)
	echotest.CheckError(t, "exchange", err, []string{secret, "the-Code-Value-1234"})
}

type ctxT = context.Context

// httptestEcho starts a token endpoint that answers 400 with the form it
// received in error_description (and error), raw and URL-encoded.
func httptestEcho(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request " + string(body), "error_description": fmt.Sprint(form) + " " + string(body)})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

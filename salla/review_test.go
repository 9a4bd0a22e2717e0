package salla_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/salla/sallatest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// htmlEncode writes every character of s as a decimal HTML character
// reference, as a token endpoint that renders its error in HTML would.
func htmlEncode(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "&#%d;", r)
	}
	return b.String()
}

// TestReviewTokenErrorEncodedEcho: a token endpoint whose error_description
// echoes the refresh token and the client secret as HTML character
// references, or in upper case. The core promises credentials are removed
// in any case and encoding an echoing server may use; the token source's
// errors keep them.
func TestReviewTokenErrorEncodedEcho(t *testing.T) {
	t.Parallel()
	const refresh, secret = "review-refresh-token-0001", "review-client-secret-0001"
	for name, enc := range map[string]func(string) string{
		"html":  htmlEncode,
		"upper": strings.ToUpper,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"error":"invalid_request","error_description":"bad grant %s for client %s"}`, enc(refresh), enc(secret))
			}))
			defer srv.Close()
			cfg := &oauth2.Config{ClientID: "app", ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: srv.URL, AuthStyle: oauth2.AuthStyleInParams}}
			ts, err := salla.NewTokenSource(cfg, &oauth2.Token{RefreshToken: refresh}, func(context.Context, *oauth2.Token) error { return nil },
				salla.WithTokenHTTPClient(srv.Client()))
			if err != nil {
				t.Fatal(err)
			}
			_, err = ts.Token()
			if err == nil {
				t.Fatal("no error")
			}
			for _, f := range []string{"%v", "%+v", "%#v"} {
				out := strings.ToLower(html.UnescapeString(fmt.Sprintf(f, err)))
				for _, s := range []string{refresh, secret} {
					if strings.Contains(out, s) {
						t.Errorf("%s of the error shows %q: %s", f, s, fmt.Sprintf(f, err))
					}
				}
			}
		})
	}
}

// TestReviewTokenRedirectLeaksSecrets: the token endpoint answers 307 to
// another host. The refresh request's form body carries the client secret
// and the refresh token; the README promises redirects to another host
// are refused so credentials never follow one.
func TestReviewTokenRedirectLeaksSecrets(t *testing.T) {
	t.Parallel()
	const refresh, secret = "review-refresh-token-0002", "review-client-secret-0002"
	var mu sync.Mutex
	var got string
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = string(b)
		mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer evil.Close()
	acc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer acc.Close()
	cfg := &oauth2.Config{ClientID: "app", ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: acc.URL, AuthStyle: oauth2.AuthStyleInParams}}
	ts, err := salla.NewTokenSource(cfg, &oauth2.Token{RefreshToken: refresh}, func(context.Context, *oauth2.Token) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	_, _ = ts.Token()
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(got, secret) || strings.Contains(got, refresh) {
		t.Errorf("the refresh request followed a redirect to another host, with its secrets: %s", got)
	}
}

// TestReviewCancelledRefreshKeepsGrant: a caller whose context ends while
// the refresh request is in flight, after Salla received and rotated the
// refresh token, makes the source send the same (now used) refresh token
// at the next call, which revokes every token of the merchant. The doc
// promises the source never uses a refresh token twice; the refresh a
// caller starts should not end with that caller's context.
func TestReviewCancelledRefreshKeepsGrant(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]int{}
	n := 0
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	acc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		rt := r.PostForm.Get("refresh_token")
		mu.Lock()
		seen[rt]++
		reuse := seen[rt] > 1
		n++
		first := n == 1
		next := fmt.Sprintf("rotated-refresh-%04d", n)
		mu.Unlock()
		if reuse {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"reused"}`)
			return
		}
		if first {
			// The grant is used up; the answer comes late.
			arrived <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"access-%04d","token_type":"bearer","expires_in":3600,"refresh_token":%q}`, n, next)
	}))
	defer acc.Close()
	cfg := &oauth2.Config{ClientID: "app", ClientSecret: "client-secret-0003", Endpoint: oauth2.Endpoint{TokenURL: acc.URL, AuthStyle: oauth2.AuthStyleInParams}}
	ts, err := salla.NewTokenSource(cfg, &oauth2.Token{RefreshToken: "first-refresh-0003", AccessToken: "old", Expiry: time.Now().Add(-time.Hour)},
		func(context.Context, *oauth2.Token) error { return nil }, salla.WithTokenHTTPClient(acc.Client()))
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	if _, err := ts.TokenContext(cctx); err == nil {
		t.Log("the first refresh finished before the cancel")
	}
	close(release)
	if _, err := ts.TokenContext(context.Background()); err != nil {
		t.Errorf("next call: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for rt, k := range seen {
		if k > 1 {
			t.Errorf("refresh token %s sent %d times: the merchant's tokens are revoked", rt, k)
		}
	}
}

// TestReviewFakeRecordsRefreshToken: the fake token endpoint's recorder
// keeps the refresh token (and an authorization code) in the recorded
// form bodies; only the static secrets are replaced.
func TestReviewFakeRecordsRefreshToken(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(epoch)
	srv := sallatest.NewServer(sallatest.WithClock(clock))
	defer srv.Close()
	tok := srv.IssueToken(clock.Now().Add(-time.Minute))
	ts, err := salla.NewTokenSource(srv.OAuthConfig(""), tok, func(context.Context, *oauth2.Token) error { return nil },
		salla.WithTokenClock(clock), salla.WithTokenHTTPClient(srv.Accounts.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Token(); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Accounts.Recorder().Requests() {
		if strings.Contains(string(r.Body), tok.RefreshToken) || strings.Contains(string(r.Body), url.QueryEscape(tok.RefreshToken)) {
			t.Errorf("recorded request %s %s keeps the refresh token: %s", r.Method, r.Path, r.Body)
		}
	}
}

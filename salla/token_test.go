package salla_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/salla/sallatest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// tokenFixture is a fake with an OAuth grant, and a token source on it
// whose saves are recorded.
type tokenFixture struct {
	srv   *sallatest.Server
	clock *shopimgtest.Clock
	ts    *salla.TokenSource
	first *oauth2.Token // the token the source started from

	mu    sync.Mutex
	saved []*oauth2.Token
	// usedBeforeSave counts saved tokens the API had already seen.
	usedBeforeSave int
}

// newTokenFixture issues a token expiring at expires (relative to the
// fake clock) and makes a TokenSource from it.
func newTokenFixture(t *testing.T, expiresIn time.Duration, srvOpts []sallatest.Option, opts ...salla.TokenOption) *tokenFixture {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := sallatest.NewServer(append([]sallatest.Option{sallatest.WithClock(clock)}, srvOpts...)...)
	t.Cleanup(srv.Close)
	srv.AddProduct(111, "")
	f := &tokenFixture{srv: srv, clock: clock}
	tok := srv.IssueToken(clock.Now().Add(expiresIn))
	save := func(_ context.Context, tok *oauth2.Token) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if srv.TokenUses(tok.AccessToken) > 0 {
			f.usedBeforeSave++
		}
		f.saved = append(f.saved, tok)
		return nil
	}
	base := []salla.TokenOption{salla.WithTokenClock(clock), salla.WithTokenHTTPClient(srv.Accounts.Client())}
	ts, err := salla.NewTokenSource(srv.OAuthConfig("https://app.example.com/callback"), tok, save, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f.ts, f.first = ts, tok
	return f
}

// TestOneRefreshUnderConcurrency sends 50 List calls at once through one
// client whose token has expired: the token endpoint sees exactly one
// refresh, no refresh token is used twice, the new token is saved once and
// before the API sees it, and every call succeeds with it.
func TestOneRefreshUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newTokenFixture(t, -time.Minute, nil)
	c, err := f.srv.NewClientWith(f.ts)
	if err != nil {
		t.Fatal(err)
	}
	p := c.ProductImages()
	var wg sync.WaitGroup
	var failed atomic.Int32
	start := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			if _, err := p.List(ctx, "111"); err != nil {
				failed.Add(1)
				t.Errorf("List: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := f.srv.Refreshes(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	if n := f.srv.Reuses(); n != 0 || f.srv.Revoked() {
		t.Errorf("%d refresh tokens reused (revoked: %v), want none", n, f.srv.Revoked())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.saved) != 1 || f.usedBeforeSave != 0 {
		t.Fatalf("saved %d tokens, %d of them used before being saved; want 1 saved before use", len(f.saved), f.usedBeforeSave)
	}
	if n := f.srv.TokenUses(f.saved[0].AccessToken); n != 50 {
		t.Errorf("the new token authorized %d calls, want 50", n)
	}
	if want := f.clock.Now().Add(sallatest.DefaultTokenLifetime).Truncate(time.Second); !f.saved[0].Expiry.Equal(want) {
		t.Errorf("saved expiry %v, want %v (the absolute expires member)", f.saved[0].Expiry, want)
	}
	if f.saved[0].RefreshToken == "" {
		t.Error("the saved token has no refresh token")
	}
}

// TestValidTokenIsNotRefreshed checks a token far from expiry is served
// as it is, and refreshed once the clock passes expiry minus the margin.
func TestValidTokenIsNotRefreshed(t *testing.T) {
	t.Parallel()
	f := newTokenFixture(t, time.Hour, nil)
	first, err := f.ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour - salla.DefaultRefreshMargin - time.Second)
	again, err := f.ts.Token()
	if err != nil || again.AccessToken != first.AccessToken || f.srv.Refreshes() != 0 {
		t.Fatalf("token before the margin: changed=%v, refreshes %d, err %v", again.AccessToken != first.AccessToken, f.srv.Refreshes(), err)
	}
	f.clock.Advance(2 * time.Second)
	next, err := f.ts.Token()
	if err != nil || next.AccessToken == first.AccessToken || f.srv.Refreshes() != 1 {
		t.Fatalf("token within the margin: refreshed=%v, refreshes %d, err %v", next.AccessToken != first.AccessToken, f.srv.Refreshes(), err)
	}
}

// TestRevokedGrant: a second process (another source with the same
// starting token) refreshes after the first, reusing the refresh token:
// the endpoint revokes the merchant's tokens; the error matches
// ErrUnauthorized and says the merchant must authorize again; the
// source does not try the dead refresh token again; and API calls with
// the revoked access token fail the same way.
func TestRevokedGrant(t *testing.T) {
	t.Parallel()
	for _, status := range []int{401, 400} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			f := newTokenFixture(t, -time.Minute, []sallatest.Option{sallatest.WithInvalidGrantStatus(status)})
			// The first source refreshes.
			tok, err := f.ts.Token()
			if err != nil {
				t.Fatal(err)
			}
			// A second "process" still holds the first refresh token.
			other, err := salla.NewTokenSource(f.srv.OAuthConfig(""), &oauth2.Token{RefreshToken: firstRefresh(t, f)}, func(context.Context, *oauth2.Token) error { return nil },
				salla.WithTokenClock(f.clock), salla.WithTokenHTTPClient(f.srv.Accounts.Client()))
			if err != nil {
				t.Fatal(err)
			}
			_, err = other.Token()
			checkRevoked(t, err)
			if !f.srv.Revoked() || f.srv.Reuses() != 1 {
				t.Fatalf("revoked %v, reuses %d", f.srv.Revoked(), f.srv.Reuses())
			}
			// The dead refresh token is not sent again.
			before := f.srv.Accounts.Recorder().Count("POST", sallatest.TokenPath)
			_, err = other.Token()
			checkRevoked(t, err)
			if n := f.srv.Accounts.Recorder().Count("POST", sallatest.TokenPath); n != before {
				t.Errorf("the source sent a revoked refresh token again")
			}
			// The first process's access token is revoked too.
			c, err := f.srv.NewClientWith(oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ProductImages().List(ctx, "111")
			checkRevoked(t, err)
			var apiErr *salla.APIError
			if !errors.As(err, &apiErr) || apiErr.Code != "invalid_grant" {
				t.Errorf("List with a revoked token: %v, want an APIError with code invalid_grant", err)
			}
		})
	}
}

// firstRefresh returns the refresh token the fixture's source started
// with.
func firstRefresh(t *testing.T, f *tokenFixture) string {
	t.Helper()
	return f.first.RefreshToken
}

func checkRevoked(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, shopimg.ErrUnauthorized) || !strings.Contains(err.Error(), "authorize the app again") {
		t.Errorf("err = %v, want ErrUnauthorized saying the merchant must authorize again", err)
	}
}

// sharedStore is a token store shared by several processes, with its
// lock: what WithTokenLoader and WithTokenLock are for.
type sharedStore struct {
	lock  chan struct{}
	mu    sync.Mutex
	tok   *oauth2.Token
	saves int
}

func (s *sharedStore) load(context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := *s.tok
	return &t, nil
}

func (s *sharedStore) save(_ context.Context, tok *oauth2.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := *tok
	s.tok = &t
	s.saves++
	return nil
}

func (s *sharedStore) take(ctx context.Context) (func(), error) {
	select {
	case s.lock <- struct{}{}:
		return func() { <-s.lock }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// TestProcessesShareOneRefresh runs four "processes" (token sources, each
// with its own client) on one merchant, all starting from the same
// expired token, sharing a store and its lock: one refresh in all, no
// reuse, and every call succeeds.
func TestProcessesShareOneRefresh(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(epoch)
	srv := sallatest.NewServer(sallatest.WithClock(clock))
	t.Cleanup(srv.Close)
	srv.AddProduct(111, "")
	store := &sharedStore{lock: make(chan struct{}, 1), tok: srv.IssueToken(clock.Now().Add(-time.Second))}
	start, _ := store.load(ctx)
	var wg sync.WaitGroup
	for range 4 {
		ts, err := salla.NewTokenSource(srv.OAuthConfig(""), start, store.save, salla.WithTokenClock(clock), salla.WithTokenHTTPClient(srv.Accounts.Client()),
			salla.WithTokenLoader(store.load), salla.WithTokenLock(store.take))
		if err != nil {
			t.Fatal(err)
		}
		c, err := srv.NewClientWith(ts)
		if err != nil {
			t.Fatal(err)
		}
		p := c.ProductImages()
		for range 5 {
			wg.Go(func() {
				if _, err := p.List(ctx, "111"); err != nil {
					t.Errorf("List: %v", err)
				}
			})
		}
	}
	wg.Wait()
	if srv.Refreshes() != 1 || srv.Reuses() != 0 || store.saves != 1 {
		t.Errorf("refreshes %d, reuses %d, saves %d; want 1, 0, 1", srv.Refreshes(), srv.Reuses(), store.saves)
	}
}

// TestSaveFailureKeepsTheToken: when saving the new token fails, the call
// fails and the token is not used; the next call saves it and uses it,
// without refreshing again (the old refresh token is spent).
func TestSaveFailureKeepsTheToken(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(epoch)
	srv := sallatest.NewServer(sallatest.WithClock(clock))
	t.Cleanup(srv.Close)
	fail := true
	var saved *oauth2.Token
	save := func(_ context.Context, tok *oauth2.Token) error {
		if fail {
			return errors.New("disk full")
		}
		saved = tok
		return nil
	}
	ts, err := salla.NewTokenSource(srv.OAuthConfig(""), srv.IssueToken(clock.Now().Add(-time.Second)), save, salla.WithTokenClock(clock), salla.WithTokenHTTPClient(srv.Accounts.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Token(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Token with a failing save: %v", err)
	}
	fail = false
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if saved == nil || saved.AccessToken != tok.AccessToken || srv.Refreshes() != 1 {
		t.Errorf("after the save worked: saved %v, refreshes %d", saved != nil, srv.Refreshes())
	}
}

// TestExchange trades a code from the authorize endpoint for a token with
// its absolute expiry; a used code is invalid_grant.
func TestExchange(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(epoch)
	srv := sallatest.NewServer(sallatest.WithClock(clock))
	t.Cleanup(srv.Close)
	cfg := srv.OAuthConfig("https://app.example.com/callback")
	hc := srv.Accounts.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(cfg.AuthCodeURL("st4te"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("state") != "st4te" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect %q (%v)", resp.Header.Get("Location"), err)
	}
	code := loc.Query().Get("code")
	tok, err := salla.Exchange(ctx, cfg, code, srv.Accounts.Client())
	if err != nil {
		t.Fatal(err)
	}
	if want := epoch.Add(sallatest.DefaultTokenLifetime); !tok.Expiry.Equal(want) || tok.RefreshToken == "" {
		t.Errorf("token expiry %v (want %v), refresh token %q", tok.Expiry, want, tok.RefreshToken)
	}
	_, err = salla.Exchange(ctx, cfg, code, srv.Accounts.Client())
	if !errors.Is(err, shopimg.ErrUnauthorized) || strings.Contains(err.Error(), code) || strings.Contains(err.Error(), cfg.ClientSecret) {
		t.Errorf("second exchange: %v, want ErrUnauthorized without the code or secret", err)
	}
}

func TestOAuthConfig(t *testing.T) {
	t.Parallel()
	cfg := salla.OAuthConfig("id", "secret", "https://app.example.com/cb")
	if cfg.Endpoint.AuthURL != "https://accounts.salla.sa/oauth2/auth" || cfg.Endpoint.TokenURL != "https://accounts.salla.sa/oauth2/token" {
		t.Errorf("endpoint %+v", cfg.Endpoint)
	}
	if d := cmp.Diff([]string{"products.read_write", "offline_access"}, cfg.Scopes); d != "" {
		t.Errorf("scopes (-want +got):\n%s", d)
	}
	cfg = salla.OAuthConfig("id", "secret", "", "products.read", "offline_access")
	if d := cmp.Diff([]string{"products.read", "offline_access"}, cfg.Scopes); d != "" {
		t.Errorf("scopes (-want +got):\n%s", d)
	}
	u, _ := url.Parse(cfg.AuthCodeURL("x"))
	if u.Query().Get("scope") != "products.read offline_access" || u.Query().Get("response_type") != "code" {
		t.Errorf("auth URL %s", u)
	}
}

// TestTokenExpiry reads Salla's absolute expires, a relative one, and
// falls back to expires_in.
func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	now := epoch
	abs := (&oauth2.Token{}).WithExtra(map[string]any{"expires": float64(1774000000)})
	if got := salla.TokenExpiry(abs, now); !got.Equal(time.Unix(1774000000, 0)) {
		t.Errorf("absolute: %v", got)
	}
	rel := (&oauth2.Token{}).WithExtra(map[string]any{"expires": float64(3600)})
	if got := salla.TokenExpiry(rel, now); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("relative: %v", got)
	}
	str := (&oauth2.Token{}).WithExtra(map[string]any{"expires": "1774000000"})
	if got := salla.TokenExpiry(str, now); !got.Equal(time.Unix(1774000000, 0)) {
		t.Errorf("string: %v", got)
	}
	in := &oauth2.Token{Expiry: now.Add(time.Minute)}
	if got := salla.TokenExpiry(in, now); !got.Equal(in.Expiry) {
		t.Errorf("expires_in: %v", got)
	}
}

func TestTokenSourcePrintsNoSecret(t *testing.T) {
	t.Parallel()
	ts, err := salla.NewTokenSource(salla.OAuthConfig("app-id", "s3cr3t-client", ""), &oauth2.Token{AccessToken: "acc3ss-tok3n", RefreshToken: "r3fresh-tok3n"}, func(context.Context, *oauth2.Token) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(f, ts)
		for _, secret := range []string{"s3cr3t", "acc3ss", "r3fresh"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s prints %q", f, out)
			}
		}
	}
	if _, err := salla.NewTokenSource(salla.OAuthConfig("a", "b", ""), &oauth2.Token{AccessToken: "x"}, nil); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("no save hook: %v", err)
	}
}

package salla

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// SaveToken persists a merchant's new token where the app keeps it. A
// TokenSource calls it with every token it gets from a refresh, before the
// token is used for any request: Salla's refresh tokens are single-use, so
// the new one is the only way back in after a restart.
type SaveToken func(ctx context.Context, tok *oauth2.Token) error

// TokenOption configures a TokenSource.
type TokenOption func(*tokenOptions) error

type tokenOptions struct {
	clock      shopimg.Clock
	httpClient *http.Client
	margin     time.Duration
	load       func(ctx context.Context) (*oauth2.Token, error)
	lock       func(ctx context.Context) (unlock func(), err error)
}

// DefaultRefreshMargin is how long before its expiry a token is refreshed.
const DefaultRefreshMargin = time.Minute

// WithTokenClock sets the clock that decides when a token has expired.
func WithTokenClock(c shopimg.Clock) TokenOption {
	return func(o *tokenOptions) error {
		if c == nil {
			return &shopimg.InputError{Field: "Clock", Reason: "is nil"}
		}
		o.clock = c
		return nil
	}
}

// WithTokenHTTPClient sends the refresh requests through c (default
// http.DefaultClient).
func WithTokenHTTPClient(c *http.Client) TokenOption {
	return func(o *tokenOptions) error {
		if c == nil {
			return &shopimg.InputError{Field: "HTTPClient", Reason: "is nil"}
		}
		o.httpClient = c
		return nil
	}
}

// WithRefreshMargin refreshes a token this long before it expires (default
// DefaultRefreshMargin).
func WithRefreshMargin(d time.Duration) TokenOption {
	return func(o *tokenOptions) error {
		if d < 0 {
			return &shopimg.InputError{Field: "RefreshMargin", Reason: "is negative"}
		}
		o.margin = d
		return nil
	}
}

// WithTokenLoader makes the source read the merchant's token from the
// shared store before each refresh, under the lock of WithTokenLock: when
// another process has refreshed it meanwhile, the source takes that token
// instead of refreshing with a refresh token that is already used (which
// would revoke the merchant's tokens). load returns nil when the store
// holds nothing newer. It is also tried after the grant was found revoked,
// so a token the merchant issued by authorizing again is picked up.
func WithTokenLoader(load func(ctx context.Context) (*oauth2.Token, error)) TokenOption {
	return func(o *tokenOptions) error {
		if load == nil {
			return &shopimg.InputError{Field: "TokenLoader", Reason: "is nil"}
		}
		o.load = load
		return nil
	}
}

// WithTokenLock makes the source hold lock around each refresh, from
// reading the store (WithTokenLoader) to saving the new token: a lock
// shared by every process serving the merchant (a database row lock, an
// advisory lock, a lease), so that one refresh is in flight per merchant
// across processes. lock must honour ctx and return the function that
// releases it.
func WithTokenLock(lock func(ctx context.Context) (unlock func(), err error)) TokenOption {
	return func(o *tokenOptions) error {
		if lock == nil {
			return &shopimg.InputError{Field: "TokenLock", Reason: "is nil"}
		}
		o.lock = lock
		return nil
	}
}

// TokenSource is a merchant's OAuth token for a long-running app: it
// returns the current access token while it is valid, and refreshes it
// when it expires (DefaultRefreshMargin before). It is safe for concurrent
// use, and refreshes once however many goroutines need a token at the same
// time: Salla's refresh tokens are single-use and rotate with every
// refresh, and using one twice revokes the merchant's tokens (the merchant
// must then authorize the app again). Every token a refresh returns is
// handed to the SaveToken hook before it is used; if saving fails, the
// token is kept in memory, not used, and saved again at the next call.
//
// Use one TokenSource per merchant in a process and share it among its
// Clients. Processes that serve the same merchant must share its token
// too, or a second process refreshing with a refresh token the first
// already used revokes the merchant's tokens: keep the token in a shared
// store, save it there in SaveToken, read it back with WithTokenLoader, and
// take the store's lock with WithTokenLock. The source then refreshes
// under the lock, after reading the newest token, so only the first
// process to find the token expired refreshes it and the others take its
// result.
type TokenSource struct {
	cfg  *oauth2.Config // a copy, behind a pointer so a printed value shows no secret
	save SaveToken
	o    tokenOptions

	sem chan struct{} // held while a refresh runs (a mutex that honours ctx)

	mu      sync.Mutex
	tok     *oauth2.Token // current, saved
	pending *oauth2.Token // refreshed but not saved yet
	revoked error         // the grant was refused; no refresh is tried again
}

// NewTokenSource returns a source starting from tok (as Exchange returned
// it, or as the app saved it last), refreshing through cfg's token
// endpoint and saving every new token with save, which is required. tok
// needs a refresh token to be refreshed; without one it serves the access
// token until it expires.
func NewTokenSource(cfg *oauth2.Config, tok *oauth2.Token, save SaveToken, opts ...TokenOption) (*TokenSource, error) {
	switch {
	case cfg == nil:
		return nil, fmt.Errorf("salla: %w", &shopimg.InputError{Field: "Config", Reason: "is nil"})
	case tok == nil || (tok.AccessToken == "" && tok.RefreshToken == ""):
		return nil, fmt.Errorf("salla: %w", &shopimg.InputError{Field: "Token", Reason: "has neither an access token nor a refresh token"})
	case save == nil:
		return nil, fmt.Errorf("salla: %w", &shopimg.InputError{Field: "SaveToken", Reason: "is nil: every new token must be persisted before it is used"})
	}
	o := tokenOptions{clock: shopimg.SystemClock{}, margin: DefaultRefreshMargin}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("salla: %w", err)
		}
	}
	t := *tok
	if t.Expiry.IsZero() {
		withExpiry(&t, o.clock.Now())
	}
	c := *cfg
	return &TokenSource{cfg: &c, save: save, o: o, sem: make(chan struct{}, 1), tok: &t}, nil
}

// String describes the source without any secret.
func (s *TokenSource) String() string { return "salla.TokenSource{client " + s.cfg.ClientID + "}" }

// GoString is String, so %#v shows no secret either.
func (s *TokenSource) GoString() string { return s.String() }

// Token returns a valid token, refreshing it if needed (see TokenContext).
func (s *TokenSource) Token() (*oauth2.Token, error) { return s.TokenContext(context.Background()) }

// TokenContext returns a valid token (a copy), refreshing it first if it
// has expired or expires within the refresh margin. A refresh the token
// endpoint refuses with invalid_grant gives an error matching
// shopimg.ErrUnauthorized saying the merchant must authorize the app
// again; the source then never tries that refresh token again.
func (s *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if t := s.valid(); t != nil {
		return t, nil
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	held := true // the semaphore, until the refresh goroutine takes it over
	defer func() {
		if held {
			<-s.sem
		}
	}()
	if t := s.valid(); t != nil { // another goroutine refreshed meanwhile
		return t, nil
	}
	if err := s.savePending(ctx); err != nil {
		return nil, err
	}
	if t := s.valid(); t != nil {
		return t, nil
	}
	unlock := func() {}
	if s.o.lock != nil {
		u, err := s.o.lock(ctx)
		if err != nil {
			return nil, fmt.Errorf("salla: taking the token lock: %w", err)
		}
		unlock = u
	}
	// The refresh runs to its end even when ctx ends first: once the
	// request is sent, Salla may have rotated the refresh token, and an
	// answer dropped half way would leave the source holding a used one,
	// whose next use revokes the merchant's tokens. It is bounded by
	// RefreshTimeout instead, and keeps the semaphore (and the lock) until
	// the new token is saved.
	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	held = false
	go func() {
		defer func() { <-s.sem }()
		defer unlock()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), RefreshTimeout)
		defer cancel()
		tok, err := s.refresh(rctx)
		done <- result{tok, err}
	}()
	select {
	case r := <-done:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// RefreshTimeout bounds a token refresh (the request, reading the shared
// store and saving the new token). A refresh is not ended by the context
// of the call that started it, since a refresh token Salla received and
// rotated is spent whether or not its answer is read.
const RefreshTimeout = 2 * time.Minute

// valid returns a copy of the current token if it is valid.
func (s *TokenSource) valid() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending != nil || !s.fresh(s.tok) {
		return nil
	}
	t := *s.tok
	return &t
}

// fresh reports whether t can be used for at least the refresh margin.
func (s *TokenSource) fresh(t *oauth2.Token) bool {
	return t != nil && t.AccessToken != "" && (t.Expiry.IsZero() || s.o.clock.Now().Add(s.o.margin).Before(t.Expiry))
}

// savePending saves a refreshed token whose saving failed before.
func (s *TokenSource) savePending(ctx context.Context) error {
	s.mu.Lock()
	p := s.pending
	s.mu.Unlock()
	if p == nil {
		return nil
	}
	if err := s.save(ctx, copyToken(p)); err != nil {
		return fmt.Errorf("salla: saving the refreshed token (kept in memory, not used until saved): %w", err)
	}
	s.mu.Lock()
	s.tok, s.pending = p, nil
	s.mu.Unlock()
	return nil
}

// refresh runs under the semaphore (and the shared lock): it reads the
// store, refreshes if still needed, saves, and returns the new token.
func (s *TokenSource) refresh(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	cur, revoked := s.tok, s.revoked
	s.mu.Unlock()
	if s.o.load != nil {
		loaded, err := s.o.load(ctx)
		if err != nil {
			return nil, fmt.Errorf("salla: loading the merchant's token: %w", err)
		}
		if loaded != nil && (loaded.AccessToken != cur.AccessToken || loaded.RefreshToken != cur.RefreshToken) {
			t := *loaded
			if t.Expiry.IsZero() {
				withExpiry(&t, s.o.clock.Now())
			}
			cur, revoked = &t, nil
			s.mu.Lock()
			s.tok, s.revoked = cur, nil
			s.mu.Unlock()
			if s.fresh(cur) {
				return copyToken(cur), nil
			}
		}
	}
	if revoked != nil {
		return nil, revoked
	}
	if cur.RefreshToken == "" {
		return nil, &TokenError{Step: "refreshing the access token", Description: "the token has expired and has no refresh token (ask for the offline_access scope)", kind: shopimg.ErrUnauthorized}
	}
	// The request's form carries the client secret and the refresh token:
	// it never follows a redirect to another host.
	rctx := context.WithValue(ctx, oauth2.HTTPClient, rest.GuardRedirects(s.o.httpClient))
	nt, err := s.cfg.TokenSource(rctx, &oauth2.Token{RefreshToken: cur.RefreshToken}).Token()
	if err != nil {
		err = tokenError("refreshing the access token", err, cur.RefreshToken, cur.AccessToken, s.cfg.ClientSecret)
		var te *TokenError
		if errors.As(err, &te) && te.Code == oauthInvalidGrant {
			s.mu.Lock()
			s.revoked = err
			s.mu.Unlock()
		}
		return nil, err
	}
	withExpiry(nt, s.o.clock.Now())
	s.mu.Lock()
	s.pending = nt
	s.mu.Unlock()
	if err := s.savePending(ctx); err != nil {
		return nil, err
	}
	return copyToken(nt), nil
}

func copyToken(t *oauth2.Token) *oauth2.Token {
	c := *t
	return &c
}

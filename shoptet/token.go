package shoptet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// TokenEarlyExpiry is how long before its expiry a cached API access token
// is replaced, so that no request carries a token that expires on the way.
const TokenEarlyExpiry = time.Minute

// DefaultTokenLifetime is how long a token is taken to be valid when the
// e-shop's answer gives no usable expires_in.
const DefaultTokenLifetime = 5 * time.Minute

// AccessTokenSource is an oauth2.TokenSource of an addon's API access
// tokens: it gets them from the e-shop's OAuth server with the addon's
// OAuth access token (the long-lived token of its installation, sent as
// Authorization: Bearer) and keeps each until TokenEarlyExpiry before it
// expires. Concurrent callers share one fetch. Use it as
// Credentials.AccessTokens. It is safe for concurrent use.
//
// The e-shop allows at most 5 valid API access tokens per installation, so
// share one AccessTokenSource between the clients of an e-shop rather than
// making one per client.
type AccessTokenSource struct {
	rc    *rest.Client
	clock shopimg.Clock

	mu       sync.Mutex
	tok      *oauth2.Token
	validTil time.Time     // on clock: replace the token from then on
	fetching chan struct{} // closed when the fetch under way ends
}

// tokenPath is the OAuth server's API access token endpoint, under the
// e-shop's URL.
const tokenPath = "action/ApiOAuthServer/getAccessToken"

// NewAccessTokenSource returns a token source for the e-shop at eshopURL
// (e.g. "https://12345.myshoptet.com"; the path
// /action/ApiOAuthServer/getAccessToken is appended) authenticated by the
// addon's OAuth access token. opts are the client options; WithBaseURL,
// WithJobWait, WithSharedQuota and WithDeleteRemovesReference do not apply
// and are ignored. The token endpoint's calls are retried and kept free of
// both tokens like any API call.
func NewAccessTokenSource(eshopURL, oauthToken string, opts ...Option) (*AccessTokenSource, error) {
	if strings.TrimSpace(oauthToken) == "" {
		return nil, fmt.Errorf("shoptet: %w", &shopimg.InputError{Field: "oauthToken", Reason: "is empty"})
	}
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	o.Limiter = nil
	if err := o.SetBaseURL(eshopURL); err != nil {
		return nil, fmt.Errorf("shoptet: eshopURL: %w", err)
	}
	rc, err := rest.New(rest.Config{
		Settings:    o.Settings,
		Platform:    platform,
		Credentials: []rest.Credential{{Header: "Authorization", Prefix: "Bearer ", Value: oauthToken}},
		DecodeError: decodeError,
	})
	if err != nil {
		return nil, err
	}
	return &AccessTokenSource{rc: rc, clock: o.clock()}, nil
}

// String describes the source without its tokens.
func (s *AccessTokenSource) String() string { return "shoptet.AccessTokenSource" }

// GoString is String, so %#v shows no token either.
func (s *AccessTokenSource) GoString() string { return s.String() }

// Token implements oauth2.TokenSource, with no deadline of its own (the
// Client asks through TokenContext, with each request's context).
func (s *AccessTokenSource) Token() (*oauth2.Token, error) {
	return s.TokenContext(context.Background())
}

// TokenContext returns the cached token, or fetches a new one when there is
// none or it is about to expire; the fetch ends with ctx.
func (s *AccessTokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	for {
		s.mu.Lock()
		if s.tok != nil && s.clock.Now().Before(s.validTil) {
			tok := *s.tok
			s.mu.Unlock()
			return &tok, nil
		}
		if wait := s.fetching; wait != nil {
			s.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		s.fetching = done
		s.mu.Unlock()
		tok, life, err := s.fetch(ctx)
		s.mu.Lock()
		s.fetching = nil
		close(done)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		now := s.clock.Now()
		early := min(TokenEarlyExpiry, life/2)
		s.tok, s.validTil = tok, now.Add(life-early)
		tok.Expiry = now.Add(life)
		out := *tok
		s.mu.Unlock()
		return &out, nil
	}
}

// Invalidate drops the cached token, so the next request gets a new one
// (after the API answered 401 expired-token, say).
func (s *AccessTokenSource) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok = nil
}

// tokenAnswer is the OAuth server's answer: {"access_token", "expires_in"}.
type tokenAnswer struct {
	AccessToken string          `json:"access_token"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	TokenType   string          `json:"token_type"`
}

// CheckBody implements rest.BodyChecker: an answer without a token is an
// error.
func (a *tokenAnswer) CheckBody(e *APIError) bool {
	if strings.TrimSpace(a.AccessToken) != "" {
		return false
	}
	e.Message = "the OAuth server's answer has no access_token"
	return true
}

// lifetime reads expires_in (seconds, a number or a numeric string).
func (a *tokenAnswer) lifetime() time.Duration {
	raw := string(bytes.Trim(bytes.TrimSpace(a.ExpiresIn), `"`))
	secs, err := strconv.ParseFloat(raw, 64)
	if err != nil || !(secs > 0) || secs > 366*24*3600 {
		return DefaultTokenLifetime
	}
	return time.Duration(secs * float64(time.Second))
}

// fetch asks the OAuth server for a new API access token.
//
// GET https://<eshop>/action/ApiOAuthServer/getAccessToken
// https://developers.shoptet.com/api/documentation/getting-api-access-token/
func (s *AccessTokenSource) fetch(ctx context.Context) (*oauth2.Token, time.Duration, error) {
	var a tokenAnswer
	if _, err := s.rc.Do(ctx, &rest.Request{Method: http.MethodGet, Path: tokenPath}, &a); err != nil {
		return nil, 0, err
	}
	return &oauth2.Token{AccessToken: a.AccessToken, TokenType: a.TokenType}, a.lifetime(), nil
}

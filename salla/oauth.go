package salla

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// Salla's OAuth 2.0 endpoints (accounts.salla.sa).
const (
	// AuthURL is where the merchant authorizes the app.
	AuthURL = "https://accounts.salla.sa/oauth2/auth"
	// TokenURL exchanges an authorization code or a refresh token for a
	// token.
	TokenURL = "https://accounts.salla.sa/oauth2/token"
)

// Scopes this package needs.
const (
	// ScopeProductsReadWrite reads and writes products and their images.
	ScopeProductsReadWrite = "products.read_write"
	// ScopeOfflineAccess makes the token endpoint issue a refresh token.
	ScopeOfflineAccess = "offline_access"
)

// Endpoint is Salla's OAuth endpoint. The client credentials go in the
// form body (as Salla's own PHP provider sends them).
var Endpoint = oauth2.Endpoint{AuthURL: AuthURL, TokenURL: TokenURL, AuthStyle: oauth2.AuthStyleInParams}

// OAuthConfig returns the oauth2.Config of an app: its client ID and secret
// (from the Salla Partners portal), the redirect URL registered there, and
// the scopes to ask for. offline_access is added when missing, since
// without it no refresh token is issued; no scopes means
// products.read_write and offline_access. Use its AuthCodeURL to send the
// merchant to Salla, then Exchange (this package's) with the code that
// comes back.
func OAuthConfig(clientID, clientSecret, redirectURL string, scopes ...string) *oauth2.Config {
	if len(scopes) == 0 {
		scopes = []string{ScopeProductsReadWrite}
	}
	scopes = slices.Clone(scopes)
	if !slices.Contains(scopes, ScopeOfflineAccess) {
		scopes = append(scopes, ScopeOfflineAccess)
	}
	return &oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL, Endpoint: Endpoint, Scopes: scopes}
}

// Exchange trades an authorization code for the merchant's first token,
// with Expiry set from Salla's expires member (an absolute Unix time, see
// TokenExpiry). Persist the token before using it: it holds the only
// refresh token. httpClient, when not nil, sends the request. Errors hold
// no secret; an invalid_grant (a code already used or expired) matches
// shopimg.ErrUnauthorized.
func Exchange(ctx context.Context, cfg *oauth2.Config, code string, httpClient *http.Client) (*oauth2.Token, error) {
	if cfg == nil {
		return nil, fmt.Errorf("salla: %w", &shopimg.InputError{Field: "Config", Reason: "is nil"})
	}
	if strings.TrimSpace(code) == "" {
		return nil, fmt.Errorf("salla: %w", &shopimg.InputError{Field: "code", Reason: "is empty"})
	}
	// The request's form carries the client secret and the code: it never
	// follows a redirect to another host.
	ctx = context.WithValue(ctx, oauth2.HTTPClient, rest.GuardRedirects(httpClient))
	tok, err := cfg.Exchange(ctx, code)
	if err != nil {
		return nil, tokenError("exchanging the authorization code", err, code, cfg.ClientSecret)
	}
	return withExpiry(tok, time.Now()), nil
}

// TokenExpiry returns when tok expires, from Salla's expires member: an
// absolute Unix time in seconds (not a duration, unlike OAuth's
// expires_in). A value below a plausible Unix time is read as seconds from
// now. When the token has no expires member, the Expiry the oauth2 package
// derived from expires_in is returned (zero if none).
func TokenExpiry(tok *oauth2.Token, now time.Time) time.Time {
	if tok == nil {
		return time.Time{}
	}
	var secs int64
	switch v := tok.Extra("expires").(type) {
	case float64:
		secs = int64(v)
	case int64:
		secs = v
	case string:
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return tok.Expiry
		}
		secs = int64(n)
	default:
		return tok.Expiry
	}
	switch {
	case secs <= 0:
		return tok.Expiry
	case secs < epochThreshold:
		return now.Add(time.Duration(secs) * time.Second)
	}
	return time.Unix(secs, 0)
}

// withExpiry sets tok.Expiry from the expires member.
func withExpiry(tok *oauth2.Token, now time.Time) *oauth2.Token {
	tok.Expiry = TokenExpiry(tok, now)
	return tok
}

// TokenError is a failure to get a token from Salla's token endpoint. It
// holds no secret (no token, code or client secret, even where the
// endpoint echoed one). An invalid_grant matches shopimg.ErrUnauthorized:
// the grant is revoked and the merchant must authorize the app again.
type TokenError struct {
	// Step is what was being done ("refreshing the access token").
	Step string
	// StatusCode is the token endpoint's HTTP status (0: no answer).
	StatusCode int
	// Code is the OAuth error code, such as "invalid_grant".
	Code string
	// Description is the endpoint's error_description, cleaned.
	Description string

	kind  error
	cause error // a transport error, already stripped of secrets
}

// Error says what failed and why.
func (e *TokenError) Error() string {
	s := "salla: " + e.Step
	switch {
	case e.Code == oauthInvalidGrant:
		s += ": invalid_grant: " + revokedMessage
	case e.Code != "":
		s += ": " + e.Code
	case e.StatusCode != 0:
		s += ": " + strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
	}
	if e.Description != "" {
		s += " (" + e.Description + ")"
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

// Is matches the error's category: shopimg.ErrUnauthorized for a refused
// grant or client, shopimg.ErrUnavailable for a token endpoint that could
// not be reached or failed.
func (e *TokenError) Is(target error) bool { return target == e.kind }

// Unwrap returns the transport error, if any.
func (e *TokenError) Unwrap() error { return e.cause }

// tokenError turns an oauth2 error into a *TokenError without the secrets
// given (and without the answer's body, which may echo them).
func tokenError(step string, err error, secrets ...string) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("salla: %s: %w", step, ctxErr(err))
	}
	e := &TokenError{Step: step, kind: shopimg.ErrUnavailable}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil {
			e.StatusCode = re.Response.StatusCode
		}
		e.Code = clean(scrub(re.ErrorCode, secrets), 60)
		e.Description = clean(scrub(re.ErrorDescription, secrets), 200)
		switch {
		case e.Code == oauthInvalidGrant, e.Code == "invalid_client", e.Code == "unauthorized_client",
			e.StatusCode == http.StatusUnauthorized, e.StatusCode == http.StatusForbidden:
			e.kind = shopimg.ErrUnauthorized
		case e.StatusCode >= 400 && e.StatusCode < 500 && e.StatusCode != http.StatusTooManyRequests:
			e.kind = shopimg.ErrInvalidInput
		}
		if e.Code == "" && e.StatusCode == 0 {
			e.Description = "the token endpoint's answer could not be read"
		}
		return e
	}
	// A transport error or an unreadable answer: keep its text, scrubbed.
	e.cause = errors.New(clean(scrub(err.Error(), secrets), 300))
	return e
}

// ctxErr returns the context error err wraps.
func ctxErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return context.Canceled
}

// clean makes s one line of at most n runes.
func clean(s string, n int) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// scrub removes the secrets from s, in any case and in every encoding the
// core's redaction reads (URL, JSON and HTML escapes, nested).
func scrub(s string, secrets []string) string {
	return rest.Redact(s, secrets...)
}

package sallatest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// oauthState is the merchant's grant: the tokens issued and what became of
// them. It is guarded by Server.mu.
type oauthState struct {
	ids      *fakestore.IDGen
	codes    map[string]bool // authorization code -> used
	access   map[string]*accessToken
	refresh  map[string]*refreshToken
	revoked  bool // a refresh token was reused: every token is dead
	uses     map[string]int
	refreshN int
	reuses   int
}

type accessToken struct {
	expires time.Time
	revoked bool
}

type refreshToken struct {
	used    bool
	revoked bool
}

func (o *oauthState) init() {
	o.ids = fakestore.NewIDGen(1, 0x5a11a)
	o.codes = map[string]bool{}
	o.access = map[string]*accessToken{}
	o.refresh = map[string]*refreshToken{}
	o.uses = map[string]int{}
}

// access check results.
const (
	accessUnknown = iota
	accessOK
	accessExpired
	accessRevoked
)

// checkAccess checks an API bearer token and counts its uses.
func (s *Server) checkAccess(tok string) int {
	for _, t := range s.cfg.Secrets {
		if t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			return accessOK
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.oauth.access[tok]
	switch {
	case !ok:
		return accessUnknown
	case a.revoked:
		return accessRevoked
	case !s.cfg.Clock.Now().Before(a.expires):
		return accessExpired
	}
	s.oauth.uses[tok]++
	return accessOK
}

// issueLocked makes a new token pair.
func (s *Server) issueLocked() (access, refresh string, expires time.Time) {
	access = "fake-at-" + s.oauth.ids.GUID()
	refresh = "fake-rt-" + s.oauth.ids.GUID()
	expires = s.cfg.Clock.Now().Add(s.cfg.TokenLifetime).Truncate(time.Second)
	s.oauth.access[access] = &accessToken{expires: expires}
	s.oauth.refresh[refresh] = &refreshToken{}
	s.recordSecrets(access, refresh)
	return access, refresh, expires
}

// recordSecrets makes both recorders replace credentials the fake issued.
func (s *Server) recordSecrets(values ...string) {
	s.Server.Recorder().AddSecrets(values...)
	s.Accounts.Recorder().AddSecrets(values...)
}

// IssueToken issues a token pair as an installation would, expiring at
// expires (the zero time: after Config.TokenLifetime), and returns it as
// an oauth2.Token with its Expiry set.
func (s *Server) IssueToken(expires time.Time) *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, r, exp := s.issueLocked()
	if !expires.IsZero() {
		exp = expires
		s.oauth.access[a].expires = exp
	}
	return &oauth2.Token{AccessToken: a, TokenType: "bearer", RefreshToken: r, Expiry: exp}
}

// OAuthConfig returns the app's oauth2.Config on this server's accounts
// endpoints, as salla.OAuthConfig makes it for the real ones.
func (s *Server) OAuthConfig(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: s.cfg.ClientID, ClientSecret: s.cfg.ClientSecret, RedirectURL: redirectURL,
		Endpoint: oauth2.Endpoint{AuthURL: s.Accounts.URL + "/oauth2/auth", TokenURL: s.Accounts.URL + TokenPath, AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   []string{"products.read_write", "offline_access"},
	}
}

// TokenUses returns how many API requests the access token authorized.
func (s *Server) TokenUses(access string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.uses[access]
}

// Refreshes returns how many refresh grants the token endpoint answered
// with a new token.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.refreshN
}

// Reuses returns how many times a used refresh token was sent again (each
// revoked the merchant's tokens).
func (s *Server) Reuses() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.reuses
}

// Revoked reports whether the merchant's tokens were revoked.
func (s *Server) Revoked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.revoked
}

// authorize is GET /oauth2/auth: the merchant approves at once, and is
// sent to redirect_uri with a code and the state.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.cfg.ClientID || q.Get("response_type") != "code" {
		fakestore.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "unknown client or response type"})
		return
	}
	ru, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !ru.IsAbs() {
		fakestore.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "redirect_uri is required"})
		return
	}
	s.mu.Lock()
	code := "fake-code-" + s.oauth.ids.GUID()
	s.oauth.codes[code] = false
	s.mu.Unlock()
	s.recordSecrets(code)
	v := ru.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	ru.RawQuery = v.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

// token is POST /oauth2/token (form-encoded).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.oauthError(w, http.StatusBadRequest, "invalid_request", "the body is not a form")
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.cfg.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
		s.oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		used, ok := s.oauth.codes[code]
		if !ok || used {
			s.oauthError(w, s.cfg.InvalidGrantStatus, "invalid_grant", "The authorization code is invalid or was used")
			return
		}
		s.oauth.codes[code] = true
		s.oauth.revoked = false // a new installation
	case "refresh_token":
		rt := s.oauth.refresh[r.PostForm.Get("refresh_token")]
		switch {
		case rt == nil || rt.revoked || s.oauth.revoked && rt.used:
			s.oauthError(w, s.cfg.InvalidGrantStatus, "invalid_grant", "The refresh token is invalid.")
			return
		case rt.used:
			// Reuse: every token of the merchant is revoked.
			s.oauth.reuses++
			s.revokeAllLocked()
			s.oauthError(w, s.cfg.InvalidGrantStatus, "invalid_grant", "The refresh token was already used; the merchant's tokens are revoked.")
			return
		}
		rt.used = true
		s.oauth.refreshN++
	default:
		s.oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
		return
	}
	a, rt, exp := s.issueLocked()
	w.Header().Set("Cache-Control", "no-store")
	fakestore.WriteJSON(w, http.StatusOK, map[string]any{
		"token_type":    "bearer",
		"access_token":  a,
		"expires":       exp.Unix(),
		"refresh_token": rt,
		"scope":         "products.read_write offline_access",
	})
}

// revokeAllLocked kills every token of the merchant.
func (s *Server) revokeAllLocked() {
	s.oauth.revoked = true
	for _, a := range s.oauth.access {
		a.revoked = true
	}
	for _, r := range s.oauth.refresh {
		r.revoked = true
	}
}

func (s *Server) oauthError(w http.ResponseWriter, status int, code, desc string) {
	fakestore.WriteJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

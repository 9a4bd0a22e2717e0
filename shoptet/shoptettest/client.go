package shoptettest

import (
	"github.com/shopimg/shopimg/shoptet"
)

// NewClient returns a shoptet client for this server with its private API
// token: the server's URL, HTTP client and clock (so a server on a fake
// clock gives clients that never really sleep, job polls included), then
// opts.
func (s *Server) NewClient(opts ...shoptet.Option) (*shoptet.Client, error) {
	return shoptet.NewClient(shoptet.Credentials{PrivateAPIToken: s.cfg.privateToken}, append(s.base(), opts...)...)
}

// NewAddonClient returns a shoptet client for this server authenticated as
// an addon: API access tokens come from the server's OAuth server (the
// server stands for the e-shop too) through a shoptet.AccessTokenSource,
// which it also returns.
func (s *Server) NewAddonClient(opts ...shoptet.Option) (*shoptet.Client, *shoptet.AccessTokenSource, error) {
	src, err := shoptet.NewAccessTokenSource(s.URL, s.cfg.oauthToken, append(s.base(), opts...)...)
	if err != nil {
		return nil, nil, err
	}
	c, err := shoptet.NewClient(shoptet.Credentials{AccessTokens: src}, append(s.base(), opts...)...)
	return c, src, err
}

func (s *Server) base() []shoptet.Option {
	return []shoptet.Option{shoptet.WithBaseURL(s.URL), shoptet.WithHTTPClient(s.Client()), shoptet.WithClock(s.cfg.Clock)}
}

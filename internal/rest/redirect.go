package rest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// maxRedirects is how many same-origin redirects a request follows, as
// net/http's default policy.
const maxRedirects = 10

// RedirectError is why the core refused to follow a redirect. Go's
// http.Client forwards every header but Authorization and Cookie to the new
// location, so following a redirect to another origin would hand the
// vendor's credential headers (X-Auth-Token, PrivateKey, Token, SecureURL,
// ...) to whoever the Location names; and a 301/302/303 turns a write into a
// GET, which would report a write as done that never was. Both are refused:
// the call fails with this error (wrapped), is not retried, and a create so
// refused matches shopimg.ErrOutcomeUnknown, because the server answered and
// may have acted before redirecting.
type RedirectError struct {
	// From and To are the origins (scheme://host) of the request and of
	// the redirect's Location; To has any user info removed.
	From, To string
	// Method is the request's method, and NewMethod what the redirect
	// would have turned it into.
	Method, NewMethod string
}

// Error says what was refused, without any credential.
func (e *RedirectError) Error() string {
	if e.Method != e.NewMethod {
		return fmt.Sprintf("refused a redirect that turns %s into %s (to %s)", e.Method, e.NewMethod, e.To)
	}
	return fmt.Sprintf("refused a redirect from %s to another origin, %s: the credential headers would go there", e.From, e.To)
}

func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// guardRedirects returns a copy of hc whose CheckRedirect refuses redirects
// to another origin (an https -> http downgrade included) and redirects
// that change the method, then applies the caller's own CheckRedirect, if
// any, or net/http's limit of 10.
func guardRedirects(hc *http.Client) *http.Client {
	cp := *hc
	next := hc.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0]
		if o, n := origin(first.URL), origin(req.URL); o != n || first.Method != req.Method {
			return &RedirectError{From: o, To: n, Method: first.Method, NewMethod: req.Method}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
	return &cp
}

func isRedirectError(err error) bool {
	var re *RedirectError
	return errors.As(err, &re)
}

// GuardRedirects returns a copy of hc (http.DefaultClient when nil) that
// refuses redirects to another origin and redirects that change the
// method, as the core's own client does: for requests sent outside the
// core whose body or headers carry credentials (an OAuth token request's
// client secret and refresh token). hc is not changed.
func GuardRedirects(hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return guardRedirects(hc)
}

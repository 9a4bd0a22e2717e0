package rest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Credential is one secret a platform needs on every request, declared once
// by the vendor package. The core sends it on every attempt, with the exact
// spelling given, and removes its value from everything that leaves the
// core: error strings, every field of *shopimg.APIError (Body included),
// transport errors, decoding errors and log lines.
type Credential struct {
	// Header is the header that carries it, sent exactly as spelled here
	// (3dcart's "PrivateKey" and FinerWorks' "web_api_key" are not in Go's
	// canonical form, and some servers compare names case-sensitively).
	Header string
	// Query is the query parameter that carries it, for platforms that
	// take credentials in the URL. Header and Query may both be set.
	Query string
	// Prefix goes before the value on the wire ("Bearer ").
	Prefix string
	// Value is a fixed secret (an API key).
	Value string
	// Source, when set instead of Value, returns the secret for one attempt
	// (an OAuth2 access token that is refreshed when it expires). Its error
	// ends the call, wrapped; give it a category (shopimg.ErrUnauthorized
	// for a revoked grant) where one fits.
	Source func(ctx context.Context) (string, error)
}

// minSecretLen is the shortest secret value scrubbed: shorter ones would
// blank out ordinary words of a message.
const minSecretLen = 6

// redacted replaces every secret.
const redacted = "REDACTED"

// redactor replaces secret values, in every encoding a body or message can
// carry them, with "REDACTED".
type redactor struct {
	re *regexp.Regexp // nil: nothing to redact
}

// newRedactor returns a redactor for values (those shorter than
// minSecretLen are ignored). It matches each value case-insensitively and
// with any of its characters written as a JSON escape (\u0053, \/, \"), a
// percent escape (%2F, '+' for a space), or an HTML character reference
// (&#83;, &#x53;, &amp;), in any mix, since an API that echoes a request
// may encode it any of these ways.
func newRedactor(values []string) *redactor {
	seen := map[string]bool{}
	var alts []string
	for _, v := range values {
		if utf8.RuneCountInString(v) < minSecretLen || seen[v] {
			continue
		}
		seen[v] = true
		alts = append(alts, valuePattern(v))
	}
	if len(alts) == 0 {
		return &redactor{}
	}
	return &redactor{re: regexp.MustCompile("(?i)" + strings.Join(alts, "|"))}
}

// valuePattern is the regular expression matching v in any encoding.
func valuePattern(v string) string {
	var b strings.Builder
	for _, r := range v {
		b.WriteString("(?:")
		b.WriteString(regexp.QuoteMeta(string(r)))
		switch {
		case r < 0x80:
			fmt.Fprintf(&b, `|\\u00%02x|%%%02x|&#0*%d;|&#x0*%x;`, r, r, r, r)
			switch r {
			case '/':
				b.WriteString(`|\\/`)
			case '"':
				b.WriteString(`|\\"|&quot;`)
			case '\\':
				b.WriteString(`|\\\\`)
			case '&':
				b.WriteString(`|&amp;`)
			case '<':
				b.WriteString(`|&lt;`)
			case '>':
				b.WriteString(`|&gt;`)
			case '\'':
				b.WriteString(`|&apos;`)
			case ' ':
				b.WriteString(`|\+`)
			}
		default:
			if r <= 0xffff {
				fmt.Fprintf(&b, `|\\u%04x`, r)
			}
			fmt.Fprintf(&b, `|&#0*%d;|&#x0*%x;|`, r, r)
			for _, c := range []byte(string(r)) {
				fmt.Fprintf(&b, `%%%02x`, c)
			}
		}
		b.WriteString(")")
	}
	return b.String()
}

// String returns s without secrets.
func (r *redactor) String(s string) string {
	if r == nil || r.re == nil || s == "" {
		return s
	}
	return r.re.ReplaceAllString(s, redacted)
}

// Bytes returns b without secrets (b itself when it holds none).
func (r *redactor) Bytes(b []byte) []byte {
	if r == nil || r.re == nil || len(b) == 0 || !r.re.Match(b) {
		return b
	}
	return r.re.ReplaceAll(b, []byte(redacted))
}

// ScrubError is what the core returns for err: a copy of the error whose
// message and whose wrapped *url.Error, *RedirectError and
// *shopimg.APIError hold no secret. The returned error unwraps to those
// copies and to whatever else err wrapped, so errors.Is and errors.As work
// as before.
func (r *redactor) ScrubError(err error) error {
	if err == nil {
		return nil
	}
	msg := r.String(err.Error())
	cause := r.scrubCause(err)
	if msg == err.Error() && cause == err {
		return err
	}
	return &scrubbed{msg: msg, cause: cause}
}

// scrubCause returns err, or a redacted copy of it when it is one of the
// error types known to carry request data.
func (r *redactor) scrubCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && err == error(ue) {
		cp := *ue
		cp.URL = r.String(redactURLString(ue.URL))
		cp.Err = r.scrubCause(ue.Err)
		return &cp
	}
	var re *RedirectError
	if errors.As(err, &re) && err == error(re) {
		cp := *re
		cp.From, cp.To = r.String(re.From), r.String(re.To)
		return &cp
	}
	return err
}

// scrubbed is an error whose text was redacted; it unwraps to a redacted
// copy of the original.
type scrubbed struct {
	msg   string
	cause error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.cause }

// secretQuery lists query parameters whose values are never shown, whoever
// set them: they are credentials in every API that uses them.
var secretQuery = []string{"access_token", "token", "client_secret", "refresh_token", "api_key", "app_key", "web_api_key", "key", "password", "privatekey", "code"}

func isSecretQuery(name string) bool {
	for _, s := range secretQuery {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// redactURLString removes the password and the values of well-known secret
// query parameters from a URL (the values of declared credentials are
// removed wherever they are by the redactor).
func redactURLString(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if isSecretQuery(k) {
				q.Set(k, redacted)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

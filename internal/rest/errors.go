package rest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/shopimg/shopimg"
)

// decodeError reads up to MaxErrorBody bytes of an error response and turns
// it into a *shopimg.APIError, refined by the vendor's decoder.
func (c *Client) decodeError(st *attempt, resp *http.Response) *shopimg.APIError {
	body, truncated, readErr := readLimited(resp.Body, c.cfg.MaxErrorBody)
	e := &shopimg.APIError{
		Platform:   c.cfg.Platform,
		Method:     st.method,
		Path:       st.path,
		StatusCode: resp.StatusCode,
		Body:       body,
		RetryAfter: st.retryAfter,
		Message:    describeBody(resp.Header.Get("Content-Type"), body, truncated, readErr),
	}
	if e.RetryAfter == 0 {
		e.RetryAfter = retryAfter(resp.Header, c.cfg.Clock.Now())
	}
	if c.cfg.DecodeError != nil && len(body) > 0 && !isHTML(resp.Header.Get("Content-Type"), body) {
		c.cfg.DecodeError(e, resp.Header, body)
	}
	if resp.Request != nil {
		c.scrub(e, resp.Request)
	}
	return e
}

// minSecretLen is the shortest header value treated as a secret when
// scrubbing: shorter ones would blank out ordinary words.
const minSecretLen = 6

// scrub replaces the values of the request's secret headers and secret
// query parameters wherever the error repeats them.
func (c *Client) scrub(e *shopimg.APIError, req *http.Request) {
	var olds []string
	for _, name := range c.secrets {
		for _, v := range req.Header.Values(name) {
			olds = append(olds, v)
			if f := strings.Fields(v); len(f) == 2 { // "Bearer <token>"
				olds = append(olds, f[1])
			}
		}
	}
	if req.URL != nil && req.URL.RawQuery != "" {
		for k, vs := range req.URL.Query() {
			if isSecretQuery(k) {
				olds = append(olds, vs...)
			}
		}
	}
	var pairs []string
	for _, v := range olds {
		if len(v) >= minSecretLen {
			pairs = append(pairs, v, "REDACTED")
		}
	}
	if len(pairs) == 0 {
		return
	}
	r := strings.NewReplacer(pairs...)
	e.Body = []byte(r.Replace(string(e.Body)))
	e.Message, e.Code, e.RequestID = r.Replace(e.Message), r.Replace(e.Code), r.Replace(e.RequestID)
	for i := range e.Details {
		e.Details[i].Field, e.Details[i].Message = r.Replace(e.Details[i].Field), r.Replace(e.Details[i].Message)
	}
}

// readLimited reads at most limit bytes of r. It does not drain the rest: a
// 10 MiB error page costs limit bytes, and the connection is closed instead
// of reused.
func readLimited(r io.Reader, limit int64) (body []byte, truncated bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(body)) > limit {
		return body[:limit], true, err
	}
	return body, false, err
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// describeBody is the message used when the vendor decoder finds nothing
// better: the body's text if it is short and plain, otherwise a description.
func describeBody(contentType string, body []byte, truncated bool, readErr error) string {
	switch {
	case len(body) == 0 && readErr != nil:
		return "reading body: " + redactErr(readErr).Error()
	case len(body) == 0:
		return "empty body"
	case isHTML(contentType, body):
		msg := fmt.Sprintf("HTML error page (%s)", sizeText(len(body), truncated))
		if m := titleRE.FindSubmatch(body); m != nil {
			if t := Clean(string(m[1]), 120); t != "" {
				msg += ": " + t
			}
		}
		return msg
	case !utf8.Valid(body):
		return fmt.Sprintf("binary body (%s)", sizeText(len(body), truncated))
	}
	return Clean(string(body), 300)
}

func sizeText(n int, truncated bool) string {
	if truncated {
		return fmt.Sprintf("more than %d bytes", n)
	}
	return fmt.Sprintf("%d bytes", n)
}

func isHTML(contentType string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 64)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// Clean collapses whitespace and cuts s to n runes (adding "…"), for putting
// a vendor's free text into a one-line error message.
func Clean(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// secretQuery lists query parameters whose values are never shown.
var secretQuery = []string{"access_token", "token", "client_secret", "refresh_token", "api_key", "app_key", "web_api_key", "key", "password", "privatekey", "code"}

func isSecretQuery(name string) bool {
	for _, s := range secretQuery {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// redactURLString removes the password and secret query values from a URL.
func redactURLString(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	return redactURL(u)
}

func redactURL(u *url.URL) string {
	ru := *u
	if ru.User != nil {
		ru.User = url.User(ru.User.Username())
	}
	if ru.RawQuery != "" {
		q := ru.Query()
		for k := range q {
			if isSecretQuery(k) {
				q.Set(k, "REDACTED")
			}
		}
		ru.RawQuery = q.Encode()
	}
	return ru.String()
}

// redactErr strips secrets from the URL of a *url.Error, the form in which
// net/http reports transport errors. The copy keeps the wrapped cause.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && err == error(ue) {
		cp := *ue
		cp.URL = redactURLString(ue.URL)
		return &cp
	}
	return err
}

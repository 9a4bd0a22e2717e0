package rest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopimg/shopimg"
)

// newAPIError starts the *shopimg.APIError of an answer: what the core
// knows before the vendor's decoder or body check looks at the body. body
// is already free of secrets and cut to MaxErrorBody.
func (c *Client) newAPIError(st *attempt, resp *http.Response, body []byte) *shopimg.APIError {
	e := &shopimg.APIError{
		Platform:   c.cfg.Platform,
		Method:     st.method,
		Path:       st.path,
		StatusCode: resp.StatusCode,
		Body:       body,
		RequestID:  st.requestID,
		RetryAfter: retryAfter(resp.Header, c.cfg.Clock.Now()),
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		e.Message = "the answer reports an error"
	}
	return e
}

// readError reads up to MaxErrorBody bytes of an error answer and turns it
// into a *shopimg.APIError, refined by the vendor's decoder. The body is
// stripped of secrets before anything reads it, so that no cut (of the
// body, of the message made from it, of what the decoder takes from it)
// can leave part of a secret behind.
func (c *Client) readError(st *attempt, resp *http.Response) *shopimg.APIError {
	red := st.redactor()
	body, truncated, readErr := readLimited(resp.Body, c.cfg.MaxErrorBody+red.slack())
	body, cut := red.keep(body, c.cfg.MaxErrorBody)
	ct := resp.Header.Get("Content-Type")
	e := c.newAPIError(st, resp, body)
	e.Message = describeBody(ct, body, truncated || cut, readErr)
	if c.cfg.DecodeError != nil && len(body) > 0 && !isHTML(ct, body) {
		c.cfg.DecodeError(e, resp.Header, body)
	}
	return e
}

// finish turns the last attempt's outcome into what Do returns. Every error
// is stripped of the credentials sent, and matches a shopimg category.
func (c *Client) finish(ctx context.Context, st *attempt) (*shopimg.Response, error) {
	c.release(st)
	st.closeBody()
	var resp *shopimg.Response
	if st.status != 0 {
		resp = &shopimg.Response{StatusCode: st.status, Header: st.header, RequestID: st.requestID, Attempts: st.attempts}
		if st.haveRate {
			resp.Rate = shopimg.Rate{Known: true, Limit: st.rate.Limit, Remaining: st.rate.Remaining, Reset: st.rate.Reset}
		}
		if st.apiErr != nil && st.apiErr.RequestID != "" {
			resp.RequestID = st.apiErr.RequestID
		}
	}
	red := st.redactor()
	var err error
	switch {
	case st.prepareErr != nil:
		err = c.startFailure(ctx, st, red)
	case st.ok:
		return resp, nil
	case st.apiErr != nil:
		e := scrubAPIError(st.apiErr, red)
		e.Attempts = st.attempts
		if st.maybeActed {
			return resp, fmt.Errorf("%w: %w", shopimg.ErrOutcomeUnknown, e)
		}
		return resp, e
	case st.netErr != nil:
		kinds := []error{shopimg.ErrUnavailable}
		what := "no answer"
		if ctx.Err() != nil {
			kinds, what = []error{ctx.Err()}, "cancelled"
		}
		err = c.callError(st, red, what, st.netErr, kinds)
	default:
		kinds := []error{shopimg.ErrUnavailable}
		err = c.callError(st, red, st.badBody, nil, kinds)
	}
	return resp, err
}

// startFailure is the error of an attempt that could not start.
func (c *Client) startFailure(ctx context.Context, st *attempt, red *redactor) error {
	var wait *WaitTooLongError
	var cred *credentialError
	var body *bodyError
	switch {
	case errors.As(st.prepareErr, &wait):
		e := &shopimg.APIError{
			Platform: c.cfg.Platform, Method: st.method, Path: st.path,
			StatusCode: http.StatusTooManyRequests, Message: wait.Error(),
			RetryAfter: wait.Wait, Attempts: st.attempts,
		}
		if st.maybeActed {
			return fmt.Errorf("%w: %w", shopimg.ErrOutcomeUnknown, e)
		}
		return e
	case errors.As(st.prepareErr, &cred):
		kinds := []error{}
		if !isCategorised(cred.err) {
			kinds = append(kinds, shopimg.ErrUnauthorized)
		}
		return c.callError(st, red, "", st.prepareErr, kinds)
	case errors.As(st.prepareErr, &body):
		return c.callError(st, red, "", st.prepareErr, []error{shopimg.ErrInvalidInput})
	case ctx.Err() != nil:
		return c.callError(st, red, "cancelled", st.prepareErr, nil)
	}
	return c.callError(st, red, "", st.prepareErr, []error{shopimg.ErrUnavailable})
}

var categories = []error{
	shopimg.ErrNotFound, shopimg.ErrUnauthorized, shopimg.ErrRateLimited, shopimg.ErrInvalidInput,
	shopimg.ErrUnsupported, shopimg.ErrConflict, shopimg.ErrUnavailable, shopimg.ErrOutcomeUnknown,
	context.Canceled, context.DeadlineExceeded,
}

func isCategorised(err error) bool {
	return slices.ContainsFunc(categories, func(k error) bool { return errors.Is(err, k) })
}

// callError builds the error of a call that got no usable answer.
func (c *Client) callError(st *attempt, red *redactor, what string, cause error, kinds []error) error {
	if st.maybeActed {
		kinds = append(kinds, shopimg.ErrOutcomeUnknown)
		if what != "" {
			what += "; "
		}
		what += "the platform may have carried it out: check before sending it again"
	}
	msg := what
	if cause != nil {
		if msg != "" {
			msg += ": "
		}
		msg += cause.Error()
	}
	return &CallError{
		Platform: c.cfg.Platform, Method: st.method, Path: red.String(st.path),
		Attempts: st.attempts, Message: red.String(msg), kinds: kinds, cause: red.ScrubError(cause),
	}
}

// CallError is a call that got no usable answer from the platform: no
// answer at all (a network failure, a refused redirect, a cancelled
// context), an answer that could not be read, or a retry that could not
// start. It matches the categories it was given (shopimg.ErrUnavailable,
// ErrOutcomeUnknown, ...) and unwraps to its cause, with every credential
// removed from both.
type CallError struct {
	// Platform, Method and Path identify the call.
	Platform, Method, Path string
	// Attempts is how many times the request was sent.
	Attempts int
	// Message says what went wrong.
	Message string

	kinds []error
	cause error
}

// Error returns "<platform>: <method> <path>: <message> (after N attempts)".
func (e *CallError) Error() string {
	s := fmt.Sprintf("%s: %s %s: %s", e.Platform, e.Method, e.Path, e.Message)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// Is reports whether target is one of the error's categories.
func (e *CallError) Is(target error) bool { return slices.Contains(e.kinds, target) }

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.cause }

// Bounds of an *shopimg.APIError's text, applied by the core after the
// credentials are removed (so a cut can never keep part of one); vendor
// decoders pass the vendor's text as it is.
const (
	maxMessage = 300 // runes of Message and of a detail's Message
	maxName    = 100 // runes of Code, RequestID and a detail's Field
	maxDetails = 20  // details kept, plus one saying how many were left out
)

// scrubAPIError removes every credential from e's fields, in place, then
// makes each text field one bounded line.
func scrubAPIError(e *shopimg.APIError, red *redactor) *shopimg.APIError {
	e.Path = red.String(e.Path)
	e.Message = clean(red.String(e.Message), maxMessage)
	e.Code = clean(red.String(e.Code), maxName)
	e.RequestID = clean(red.String(e.RequestID), maxName)
	e.Body = red.Bytes(e.Body)
	if n := len(e.Details); n > maxDetails {
		e.Details = append(e.Details[:maxDetails:maxDetails], shopimg.FieldError{Message: fmt.Sprintf("and %d more", n-maxDetails)})
	}
	for i := range e.Details {
		e.Details[i].Field = clean(red.String(e.Details[i].Field), maxName)
		e.Details[i].Message = clean(red.String(e.Details[i].Message), maxMessage)
	}
	return e
}

// zero sets the value out points to to its zero value, so a retried
// attempt decodes into a clean value.
func zero(out any) {
	v := reflect.ValueOf(out)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v.Elem().SetZero()
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
		return "reading body: " + readErr.Error()
	case len(body) == 0:
		return "empty body"
	case isHTML(contentType, body):
		msg := fmt.Sprintf("HTML error page (%s)", sizeText(len(body), truncated))
		if m := titleRE.FindSubmatch(body); m != nil {
			if t := clean(string(m[1]), 120); t != "" {
				msg += ": " + t
			}
		}
		return msg
	case !utf8.Valid(body):
		return fmt.Sprintf("binary body (%s)", sizeText(len(body), truncated))
	}
	return clean(string(body), maxMessage)
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

// clean collapses whitespace and cuts s to n runes (adding "…"), for putting
// a vendor's free text into a one-line error message. Invalid UTF-8 is
// replaced, and control characters (an escape sequence, a NUL) count as
// whitespace.
func clean(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	n = max(n, 0)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

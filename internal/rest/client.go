package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/shopimg/shopimg"
)

// Effect is what a request does to the platform's state, which decides
// when it may be retried.
type Effect int

const (
	// Auto derives the Effect from the method: GET and HEAD read, PUT, PATCH
	// and DELETE are idempotent writes, POST creates.
	Auto Effect = iota
	// Read reads (also a POST used as a query, like FinerWorks list_images).
	Read
	// Write is an idempotent write: sending it twice has the effect of
	// sending it once.
	Write
	// Create adds something; sending it twice may add it twice.
	Create
)

// String returns the Effect's name: "auto", "read", "write" or "create".
func (o Effect) String() string {
	switch o {
	case Auto:
		return "auto"
	case Read:
		return "read"
	case Write:
		return "write"
	case Create:
		return "create"
	}
	return fmt.Sprintf("Effect(%d)", int(o))
}

func (o Effect) resolve(method string) Effect {
	if o != Auto {
		return o
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return Read
	case http.MethodPost:
		return Create
	}
	return Write
}

// ErrorDecoder fills the vendor-specific parts of e (Code, Message, Details,
// RequestID, Kind) from an error response. The core has already set
// Platform, Method, Path, StatusCode, Body, RetryAfter, RequestID (from
// Config.RequestIDHeader) and a generic Message; a decoder that does not
// recognise the body leaves them as they are. It may shorten Body, to drop
// a part that must never be shown (FinerWorks' status.debug). body (which
// is e.Body) has the credentials already removed, so that nothing the
// decoder cuts can keep part of one; the core removes them from every field
// again afterwards.
type ErrorDecoder func(e *shopimg.APIError, h http.Header, body []byte)

// BodyChecker is implemented by the vendor types a 2xx answer is decoded
// into when the platform can report an error inside a success status
// (FinerWorks' status.success=false on HTTP 200, Shoptet's errors[] beside
// data, 3dcart's failing result items), or when a success must carry
// something (a create's new image). The core calls CheckBody after decoding
// every 2xx answer (also an empty one or a 204, into the zero value). When
// it returns true, e describes the error: the core has set Platform,
// Method, Path, StatusCode (the HTTP status), RequestID, Body and a
// Message; the checker sets what the body says (StatusCode from the
// envelope, Code, Message, Details, Kind). The answer is then treated as
// that error by the same rules as an error status: retried or not,
// classified, stripped of credentials, and, for a create, wrapped with
// shopimg.ErrOutcomeUnknown unless its status or Kind proves nothing was
// created (a 4xx other than 408, or a Kind of ErrInvalidInput,
// ErrUnauthorized, ErrNotFound, ErrConflict or ErrRateLimited). Body is
// already free of credentials and cut to MaxErrorBody; the core removes
// credentials from what the checker sets afterwards. Before a retried
// attempt is decoded, the value is reset to its zero value, so a checker
// keeps no state of its own in it.
type BodyChecker interface {
	CheckBody(e *shopimg.APIError) bool
}

// Config is what a vendor gives New: the shared Settings plus its hooks.
type Config struct {
	Settings
	// Platform names the vendor in errors and logs ("bigcommerce").
	Platform string
	// Credentials are set on every attempt and redacted everywhere.
	Credentials []Credential
	// DecodeError reads the vendor's error body. Optional.
	DecodeError ErrorDecoder
	// ReadRate reads the vendor's quota headers. Optional.
	ReadRate RateReader
	// RequestIDHeader names the header carrying the platform's request ID
	// (Shoptet's X-Request-ID). Optional.
	RequestIDHeader string
	// PauseStatuses are statuses, besides 429, meaning "not done, try again
	// later" (Shoptet's 423 Locked). They are retried for every Effect, creates
	// included, after the Retry-After wait or the backoff.
	PauseStatuses []int
	// MaxInFlight caps the requests in flight at once through the client's
	// Limiter (shared with every client that shares it); 0 means no cap.
	MaxInFlight int
}

// Client sends requests for one store. It is safe for concurrent use.
type Client struct {
	cfg     Config
	base    string
	rc      *retryablehttp.Client
	limiter *Limiter
	creds   *credentials // behind a pointer, so printing a Client shows no secret
}

// credentials are a client's declared credentials and the redactor of
// their fixed values.
type credentials struct {
	list    []Credential
	fixed   []string
	dynamic bool // some Credential has a Source
	red     *redactor
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Platform == "" {
		return nil, errors.New("rest: Config.Platform is empty")
	}
	if err := cfg.SetBaseURL(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Platform, err)
	}
	if err := cfg.Retry.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Platform, err)
	}
	creds, err := checkCredentials(cfg.Credentials)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Platform, err)
	}
	cfg.Credentials = nil // kept in creds only
	cfg.Retry = cfg.Retry.WithDefaults()
	if cfg.Clock == nil {
		cfg.Clock = shopimg.SystemClock{}
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = shopimg.UserAgent
	}
	if cfg.MaxErrorBody <= 0 {
		cfg.MaxErrorBody = DefaultMaxErrorBody
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	c := &Client{cfg: cfg, base: cfg.BaseURL + "/", limiter: cfg.Limiter, creds: creds}
	if c.limiter == nil {
		c.limiter = NewLimiter(cfg.Clock)
	}
	if cfg.MaxInFlight > 0 {
		c.limiter.SetMaxInFlight(cfg.MaxInFlight)
	}
	c.rc = &retryablehttp.Client{
		HTTPClient:   guardRedirects(httpClientFor(cfg.HTTPClient)),
		Logger:       nil, // we log ourselves, redacted
		RetryMax:     cfg.Retry.MaxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 },
		PrepareRetry: c.prepareRetry,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

func checkCredentials(list []Credential) (*credentials, error) {
	cs := &credentials{list: append([]Credential(nil), list...)}
	for i, cr := range list {
		field := fmt.Sprintf("Credentials[%d]", i)
		switch {
		case cr.Header == "" && cr.Query == "":
			return nil, &shopimg.InputError{Field: field, Reason: "names neither a header nor a query parameter"}
		case cr.Header != "" && !validHeaderName(cr.Header):
			return nil, &shopimg.InputError{Field: field, Reason: fmt.Sprintf("header name %q is not a valid token", cr.Header)}
		case cr.Source == nil && strings.TrimSpace(cr.Value) == "":
			return nil, &shopimg.InputError{Field: field, Reason: "has no value"}
		case strings.ContainsAny(cr.Value+cr.Prefix, "\r\n\x00"):
			return nil, &shopimg.InputError{Field: field, Reason: "contains a line break or NUL"}
		}
		if cr.Source != nil {
			cs.dynamic = true
		} else {
			cs.fixed = append(cs.fixed, cr.Value)
		}
	}
	cs.red = newRedactor(cs.fixed)
	return cs, nil
}

func validHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return s != ""
}

// String describes the client without its credentials. Its receiver is a
// value, so a Client printed by value, with any verb, shows no credential
// either.
func (c Client) String() string { return "rest.Client{" + c.cfg.Platform + " " + c.cfg.BaseURL + "}" }

// GoString is String, so %#v shows no credential either.
func (c Client) GoString() string { return c.String() }

// Platform returns the vendor name given in Config.
func (c *Client) Platform() string { return c.cfg.Platform }

// Limiter returns the client's rate limiter, to share with another client of
// the same store.
func (c *Client) Limiter() *Limiter { return c.limiter }

// Request is one API call.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is relative to the base URL, with every variable segment escaped
	// (build it with Path). "." and ".." segments are refused.
	Path string
	// Query is url.Values or a struct encoded by go-querystring; nil for none.
	Query any
	// JSON, when not nil, is sent as the JSON body.
	JSON any
	// Multipart, when not nil, is streamed as a multipart/form-data body.
	Multipart *Multipart
	// Effect decides retries; Auto derives it from Method.
	Effect Effect
	// Header holds extra headers.
	Header http.Header
}

// Path formats a path whose %s (or %d, %v) arguments are each escaped as one
// path segment: Path("products/%s/images", id).
func Path(format string, args ...any) string {
	esc := make([]any, len(args))
	for i, a := range args {
		esc[i] = url.PathEscape(fmt.Sprint(a))
	}
	return fmt.Sprintf(format, esc...)
}

// Do sends r, retrying by its Effect, and decodes a successful JSON body into
// out (unless out is nil, the status is 204 or the body is empty), then
// lets out check it (BodyChecker). A non-2xx answer, or a 2xx one that out
// reports as an error, becomes a *shopimg.APIError. The Response is non-nil
// whenever the platform answered. Every error is free of credentials and
// matches a shopimg category (see the package documentation).
func (c *Client) Do(ctx context.Context, r *Request, out any) (*shopimg.Response, error) {
	if ctx == nil {
		return nil, c.invalid("nil context", nil)
	}
	hreq, err := c.newHTTPRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	st := &attempt{effect: r.Effect.resolve(r.Method), method: r.Method, path: hreq.URL.Path, out: out, creds: c.creds}
	hreq = hreq.WithContext(context.WithValue(ctx, attemptKey{}, st))
	rreq, err := retryablehttp.FromRequest(hreq)
	if err != nil {
		return nil, c.invalid(r.Method+" "+st.path, err)
	}
	if err := c.start(ctx, st, rreq.Request); err != nil {
		st.prepareErr = err
		return c.finish(ctx, st)
	}
	st.start = c.cfg.Clock.Now()
	resp, _ := c.rc.Do(rreq)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	return c.finish(ctx, st)
}

// start readies req for an attempt: it takes a rate-limit slot (waiting at
// most MaxRetryAfter), sets the credentials, and opens a fresh body, in that
// order, so an upload is opened only once it can be sent, and a slot is
// given back when the body cannot be opened.
func (c *Client) start(ctx context.Context, st *attempt, req *http.Request) error {
	if err := c.limiter.Wait(ctx, c.cfg.Retry.MaxRetryAfter); err != nil {
		return err
	}
	st.reserved = true
	if err := c.authorize(ctx, st, req); err != nil {
		c.release(st)
		return err
	}
	if err := openBody(req); err != nil {
		c.release(st)
		return &bodyError{err}
	}
	st.body = req.Body
	return nil
}

func (c *Client) release(st *attempt) {
	if st.reserved {
		st.reserved = false
		c.limiter.Release()
	}
}

// authorize sets the credentials on req, each with its exact spelling. The
// header map and URL are replaced, never changed in place: a previous
// attempt's transport may still hold them.
func (c *Client) authorize(ctx context.Context, st *attempt, req *http.Request) error {
	if len(c.creds.list) == 0 {
		return nil
	}
	h := req.Header.Clone()
	var q url.Values
	for _, cr := range c.creds.list {
		v := cr.Value
		if cr.Source != nil {
			tok, err := cr.Source(ctx)
			if err != nil {
				return &credentialError{err}
			}
			if strings.ContainsAny(tok, "\r\n\x00") || strings.TrimSpace(tok) == "" {
				return &credentialError{errors.New("the credential source returned an empty value or one with a line break")}
			}
			v = tok
			st.addSecret(tok)
		}
		if cr.Header != "" {
			delete(h, http.CanonicalHeaderKey(cr.Header))
			h[cr.Header] = []string{cr.Prefix + v}
		}
		if cr.Query != "" {
			if q == nil {
				q = req.URL.Query()
			}
			q.Set(cr.Query, cr.Prefix+v)
		}
	}
	req.Header = h
	if q != nil {
		u := *req.URL
		u.RawQuery = q.Encode()
		req.URL = &u
	}
	return nil
}

// credentialError is a failure of a Credential's Source.
type credentialError struct{ err error }

func (e *credentialError) Error() string { return "getting the credential: " + e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

// invalid is the error of a request the core cannot build, a mistake in
// the vendor's code: it matches shopimg.ErrInvalidInput (nothing was sent)
// and wraps cause, if any.
func (c *Client) invalid(what string, cause error) error {
	if cause == nil {
		return fmt.Errorf("%s: %s: %w", c.cfg.Platform, what, shopimg.ErrInvalidInput)
	}
	return fmt.Errorf("%s: %s: %w: %w", c.cfg.Platform, what, cause, shopimg.ErrInvalidInput)
}

// bodyError is a request body (an upload) that could not be opened.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "opening the request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// httpClientFor returns the http.Client the core sends through: the
// caller's, whose Transport is looked up at every request, or a default one.
// The caller's client is never changed.
func httpClientFor(user *http.Client) *http.Client {
	if user == nil {
		return &http.Client{Transport: defaultTransport()}
	}
	return &http.Client{Transport: lateTransport{user}, Jar: user.Jar, Timeout: user.Timeout, CheckRedirect: user.CheckRedirect}
}

// defaultTransport has no overall timeout, which would cut off a large
// upload on a slow link; instead a server must start answering within 90s
// of the request being sent. Callers bound whole calls with their context.
// When http.DefaultTransport is not an *http.Transport (a user's
// instrumentation or httpmock.Activate replaced it), it is used as it is.
func defaultTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t = t.Clone()
	t.ResponseHeaderTimeout = 90 * time.Second
	return t
}

// lateTransport sends through c.Transport as it is at the time of each
// request (http.DefaultTransport when nil).
type lateTransport struct{ c *http.Client }

func (t lateTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt := t.c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	return rt.RoundTrip(r)
}

// CloseIdleConnections closes the idle connections of the transport, when
// it can.
func (t lateTransport) CloseIdleConnections() {
	rt := t.c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if ci, ok := rt.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func (c *Client) newHTTPRequest(ctx context.Context, r *Request) (*http.Request, error) {
	for _, seg := range strings.Split(r.Path, "/") {
		if seg == "." || seg == ".." {
			return nil, &shopimg.InputError{Field: "path", Reason: "contains a dot segment"}
		}
	}
	raw := c.base + strings.TrimPrefix(r.Path, "/")
	q, err := encodeQuery(r.Query)
	if err != nil {
		return nil, c.invalid("encoding query", err)
	}
	if q != "" {
		raw += "?" + q
	}
	var (
		getBody     func() (io.ReadCloser, error)
		length      int64
		contentType string
	)
	switch {
	case r.JSON != nil && r.Multipart != nil:
		return nil, c.invalid("request has both a JSON and a multipart body", nil)
	case r.JSON != nil:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r.JSON); err != nil {
			return nil, c.invalid("encoding body", err)
		}
		b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		length, contentType = int64(len(b)), "application/json"
	case r.Multipart != nil:
		getBody, length, contentType, err = r.Multipart.body()
		if err != nil {
			return nil, c.invalid("multipart body", err)
		}
	}
	hreq, err := http.NewRequestWithContext(ctx, r.Method, raw, nil)
	if err != nil {
		return nil, c.invalid("building request", c.creds.red.ScrubError(err))
	}
	for k, vs := range r.Header {
		hreq.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	if contentType != "" {
		hreq.Header.Set("Content-Type", contentType)
	}
	if getBody != nil {
		hreq.GetBody = getBody
		hreq.ContentLength = length
	}
	return hreq, nil
}

// openBody opens a fresh body for an attempt. retryablehttp leaves Body alone
// when it was given none, so the body stays streamed: start opens each
// attempt's, after its rate-limit wait, through GetBody.
func openBody(req *http.Request) error {
	if req.GetBody == nil {
		return nil
	}
	b, err := req.GetBody()
	if err != nil {
		return err
	}
	req.Body = b
	return nil
}

func encodeQuery(q any) (string, error) {
	switch v := q.(type) {
	case nil:
		return "", nil
	case url.Values:
		return v.Encode(), nil
	default:
		vals, err := query.Values(q)
		if err != nil {
			return "", err
		}
		return vals.Encode(), nil
	}
}

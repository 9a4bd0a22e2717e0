package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/shopimg/shopimg"
)

// Op is what a request does, which decides when it may be retried.
type Op int

const (
	// OpAuto derives the Op from the method: GET and HEAD read, PUT, PATCH
	// and DELETE are idempotent writes, POST creates.
	OpAuto Op = iota
	// OpRead reads (also a POST used as a query, like FinerWorks list_images).
	OpRead
	// OpWrite is an idempotent write: sending it twice has the effect of
	// sending it once.
	OpWrite
	// OpCreate adds something; sending it twice may add it twice.
	OpCreate
)

// String returns the Op's name: "auto", "read", "write" or "create".
func (o Op) String() string {
	switch o {
	case OpAuto:
		return "auto"
	case OpRead:
		return "read"
	case OpWrite:
		return "write"
	case OpCreate:
		return "create"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

func (o Op) resolve(method string) Op {
	if o != OpAuto {
		return o
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return OpRead
	case http.MethodPost:
		return OpCreate
	}
	return OpWrite
}

// ErrorDecoder fills the vendor-specific parts of e (Code, Message, Details,
// RequestID, Kind) from an error response. The core has already set
// Platform, Method, Path, StatusCode, Body, RetryAfter and a generic Message;
// a decoder that does not recognise the body leaves them as they are.
type ErrorDecoder func(e *shopimg.APIError, h http.Header, body []byte)

// Config is what a vendor gives New: the shared Settings plus its hooks.
type Config struct {
	Settings
	// Platform names the vendor in errors and logs ("bigcommerce").
	Platform string
	// Auth sets the credential headers on every attempt.
	Auth func(h http.Header)
	// SecretHeaders are extra header names whose values are secret (the
	// credential headers set by Auth). Authorization, Cookie and
	// Proxy-Authorization always are. The core logs no header values at all;
	// it also scrubs these values from error bodies and messages, because
	// some APIs echo the request back in their errors (FinerWorks'
	// status.debug).
	SecretHeaders []string
	// DecodeError reads the vendor's error body. Optional.
	DecodeError ErrorDecoder
	// ReadRate reads the vendor's quota headers. Optional.
	ReadRate RateReader
	// PauseStatuses are statuses, besides 429, meaning "not done, try again
	// later" (Shoptet's 423 Locked). They are retried for every Op, creates
	// included, after the Retry-After wait or the backoff.
	PauseStatuses []int
}

// Client sends requests for one store. It is safe for concurrent use.
type Client struct {
	cfg     Config
	base    string
	rc      *retryablehttp.Client
	limiter *Limiter
	secrets []string // canonical names of the headers whose values are secret
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
	hc := cfg.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient()
	}
	hc = guardRedirects(hc)
	c := &Client{cfg: cfg, base: cfg.BaseURL + "/", limiter: cfg.Limiter}
	if c.limiter == nil {
		c.limiter = NewLimiter(cfg.Clock)
	}
	for _, h := range append([]string{"Authorization", "Cookie", "Proxy-Authorization"}, cfg.SecretHeaders...) {
		c.secrets = append(c.secrets, http.CanonicalHeaderKey(h))
	}
	c.rc = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // we log ourselves, redacted
		RetryMax:     cfg.Retry.MaxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 },
		PrepareRetry: c.prepareRetry,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

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
	// Op decides retries; OpAuto derives it from Method.
	Op Op
	// Header holds extra headers.
	Header http.Header
}

// Response is what a successful call returns besides its decoded body.
type Response struct {
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// Header holds the last attempt's response headers.
	Header http.Header
	// Rate is the quota state the response reported, if any.
	Rate RateInfo
	// Attempts is how many times the request was sent.
	Attempts int
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

// Do sends r, retrying by its Op, and decodes a successful JSON body into
// out (unless out is nil, the status is 204 or the body is empty). A non-2xx
// answer becomes a *shopimg.APIError.
func (c *Client) Do(ctx context.Context, r *Request, out any) (*Response, error) {
	if ctx == nil {
		return nil, errors.New(c.cfg.Platform + ": nil context")
	}
	op := r.Op.resolve(r.Method)
	hreq, err := c.newHTTPRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	st := &attempt{op: op, method: r.Method, path: hreq.URL.Path}
	hreq = hreq.WithContext(context.WithValue(ctx, attemptKey{}, st))
	rreq, err := retryablehttp.FromRequest(hreq)
	if err == nil {
		err = openBody(rreq.Request)
	}
	if err != nil {
		return nil, c.wrap(r.Method, hreq.URL.Path, err)
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, err
	}
	st.start = c.cfg.Clock.Now()
	resp, err := c.rc.Do(rreq)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, c.transportError(ctx, st, err)
	}
	defer resp.Body.Close()
	out2 := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Rate: st.rate, Attempts: st.attempts}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := c.decodeError(st, resp)
		if op == OpCreate && isAmbiguousStatus(resp.StatusCode) {
			return out2, fmt.Errorf("%w: %w", shopimg.ErrOutcomeUnknown, apiErr)
		}
		return out2, apiErr
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return out2, nil
	}
	if err := c.decodeBody(resp, out); err != nil {
		err = fmt.Errorf("%s: %s %s: decoding %d response: %w", c.cfg.Platform, st.method, st.path, resp.StatusCode, err)
		if op == OpCreate {
			// The create succeeded but its result is unreadable.
			err = fmt.Errorf("%w: %w", shopimg.ErrOutcomeUnknown, err)
		}
		return out2, err
	}
	return out2, nil
}

// decodeBody decodes a 2xx JSON body into out; an empty body is fine. An
// HTML page (a proxy's or a maintenance page served with 200) is described
// as such instead of as a JSON syntax error.
func (c *Client) decodeBody(resp *http.Response, out any) error {
	if ct := resp.Header.Get("Content-Type"); isHTML(ct, nil) {
		body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxErrorBody+1))
		truncated := int64(len(body)) > c.cfg.MaxErrorBody
		if truncated {
			body = body[:c.cfg.MaxErrorBody]
		}
		if len(body) == 0 && err == nil {
			return nil
		}
		return fmt.Errorf("expected JSON, got %s", describeBody(ct, body, truncated, err))
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// defaultHTTPClient has no overall timeout, which would cut off a large upload
// on a slow link; instead a server must start answering within 90s of the
// request being sent. Callers bound whole calls with their context.
func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 90 * time.Second
	return &http.Client{Transport: t}
}

// isAmbiguousStatus reports whether a create answered with this status may
// nonetheless have been carried out.
func isAmbiguousStatus(status int) bool {
	return status >= 500 || status == http.StatusRequestTimeout
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
		return nil, fmt.Errorf("%s: encoding query: %w", c.cfg.Platform, err)
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
		return nil, errors.New(c.cfg.Platform + ": request has both a JSON and a multipart body")
	case r.JSON != nil:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r.JSON); err != nil {
			return nil, fmt.Errorf("%s: encoding body: %w", c.cfg.Platform, err)
		}
		b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		length, contentType = int64(len(b)), "application/json"
	case r.Multipart != nil:
		getBody, length, contentType, err = r.Multipart.body()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.cfg.Platform, err)
		}
	}
	hreq, err := http.NewRequestWithContext(ctx, r.Method, raw, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: building request: %w", c.cfg.Platform, redactErr(err))
	}
	for k, vs := range r.Header {
		hreq.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.cfg.UserAgent)
	if contentType != "" {
		hreq.Header.Set("Content-Type", contentType)
	}
	if c.cfg.Auth != nil {
		c.cfg.Auth(hreq.Header)
	}
	if getBody != nil {
		hreq.GetBody = getBody
		hreq.ContentLength = length
	}
	return hreq, nil
}

// openBody opens a fresh body for an attempt. retryablehttp leaves Body alone
// when it was given none, so the body stays streamed: Do opens the first
// attempt's and prepareRetry each retry's, both through GetBody.
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

// wrap prefixes err with the platform and request.
func (c *Client) wrap(method, path string, err error) error {
	return fmt.Errorf("%s: %s %s: %w", c.cfg.Platform, method, path, err)
}

// transportError turns a failed exchange (no usable response) into the
// error Do returns.
func (c *Client) transportError(ctx context.Context, st *attempt, err error) error {
	err = redactErr(err)
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	if st.op == OpCreate && st.maybeActed {
		return c.wrap(st.method, st.path, fmt.Errorf("%w: %w", shopimg.ErrOutcomeUnknown, err))
	}
	return c.wrap(st.method, st.path, err)
}

func (c *Client) logAttempt(st *attempt, resp *http.Response, err error) {
	l := c.cfg.Logger
	if l == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("platform", c.cfg.Platform),
		slog.String("method", st.method),
		slog.String("path", st.path),
		slog.Int("attempt", st.attempts),
		slog.Duration("elapsed", c.cfg.Clock.Now().Sub(st.start)),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redactErr(err).Error()))
	}
	l.LogAttrs(context.Background(), slog.LevelDebug, "shopimg request", attrs...)
}

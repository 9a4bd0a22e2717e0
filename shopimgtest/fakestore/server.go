package fakestore

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/shopimg/shopimg"
)

// Options configure a Handler or Server. The zero value is usable: the real
// clock, DefaultSecretHeaders, bodies recorded up to DefaultMaxBody, every
// request kept, no quota.
type Options struct {
	// Clock times recorded requests, fault latency and quotas; nil means
	// shopimg.SystemClock{}.
	Clock shopimg.Clock

	// SecretHeaders are the request headers whose values the recorder
	// replaces with Redacted (case-insensitive, "*" wildcards allowed); nil
	// means DefaultSecretHeaders(). Append to that to add names.
	SecretHeaders []string
	// Secrets are credential values (the keys and tokens the fake
	// accepts) that the recorder replaces with Redacted wherever they
	// appear in a recorded request: any header, the query string (also
	// percent-encoded) and the body.
	Secrets []string
	// MaxRecordedBody is how much of each request body is recorded; zero
	// means DefaultMaxBody, negative records no body.
	MaxRecordedBody int64
	// MaxRecords is how many requests the recorder keeps, dropping the
	// oldest (counts are kept regardless); zero keeps all, negative none
	// (for long benchmarks).
	MaxRecords int

	// Quota is the rate-limit model; nil means no rate limit.
	Quota QuotaModel
	// QuotaHeaders writes the vendor's quota headers. With a Quota, it is
	// called for every request, before the handler or QuotaReject, so every
	// response (429s and faults included) carries them.
	QuotaHeaders func(h http.Header, s QuotaState)
	// QuotaReject writes the response to a request over quota: the vendor's
	// retry headers, status (normally 429) and body, from s.RetryAfter. Nil
	// means RejectTooMany.
	QuotaReject func(w http.ResponseWriter, s QuotaState)
}

// Config is what every vendor fake's options set, whatever the vendor: the
// clock, the recorder's limits, the first ID and GUID seed of the
// catalogue, the quota, and the credential values to redact. A vendor fake
// embeds it in its own configuration, exposes it through its With...
// options, and builds its engine with Options and its catalogue with
// CatalogOptions.
type Config struct {
	// Clock times recorded requests, fault latency, quotas and the dates
	// the fake stamps; nil means shopimg.SystemClock{}.
	Clock shopimg.Clock
	// MaxRecords limits the requests the recorder keeps (see Options).
	MaxRecords int
	// MaxRecordedBody limits the body the recorder keeps of each request
	// (see Options).
	MaxRecordedBody int64
	// FirstID is the first number the catalogue hands out (see
	// CatalogOptions).
	FirstID int64
	// Seed makes the catalogue's GUIDs deterministic.
	Seed uint64
	// Quota is the rate limit; nil means none.
	Quota QuotaModel
	// Secrets are redacted from recorded requests (see Options.Secrets).
	Secrets []string
}

// Options returns the engine options of c, with the vendor's quota headers
// and rejection (either may be nil).
func (c Config) Options(headers func(http.Header, QuotaState), reject func(http.ResponseWriter, QuotaState)) Options {
	o := Options{Clock: c.Clock, MaxRecords: c.MaxRecords, MaxRecordedBody: c.MaxRecordedBody, Secrets: c.Secrets, Quota: c.Quota}
	if c.Quota != nil {
		o.QuotaHeaders, o.QuotaReject = headers, reject
	}
	return o
}

// CatalogOptions returns the catalogue options of c.
func (c Config) CatalogOptions() CatalogOptions {
	return CatalogOptions{FirstID: c.FirstID, Seed: c.Seed}
}

// Now returns the current time of c's clock (the system clock when nil).
func (c Config) Now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock.Now()
}

// Handler wraps a vendor fake's handler with the engine, in this order:
// the recorder (which so sees quota rejections and faults, with the status
// sent), the quota, the faults, then the vendor handler. It is an
// http.Handler that can be mounted anywhere (a benchmark calling ServeHTTP,
// an httpmock responder); Server runs one on a real listener. It is safe for
// concurrent use.
type Handler struct {
	clock    shopimg.Clock
	recorder *Recorder
	faults   *Faults
	quota    *Quota
	chain    http.Handler
}

// NewHandler returns the engine around next, the vendor's wire protocol.
func NewHandler(next http.Handler, opts Options) *Handler {
	if next == nil {
		next = http.NotFoundHandler()
	}
	clock := opts.Clock
	if clock == nil {
		clock = shopimg.SystemClock{}
	}
	reject := opts.QuotaReject
	if reject == nil {
		reject = RejectTooMany
	}
	h := &Handler{
		clock:    clock,
		recorder: newRecorder(clock, opts),
		faults:   &Faults{clock: clock},
		quota:    &Quota{clock: clock, model: opts.Quota, headers: opts.QuotaHeaders, reject: reject},
	}
	h.chain = h.recorder.wrap(h.quota.wrap(h.faults.wrap(next)))
	return h
}

// ServeHTTP serves r through the recorder, quota, faults and vendor handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.chain.ServeHTTP(w, r) }

// Recorder returns the handler's request recorder.
func (h *Handler) Recorder() *Recorder { return h.recorder }

// Faults returns the handler's fault queue.
func (h *Handler) Faults() *Faults { return h.faults }

// Quota returns the handler's rate limit.
func (h *Handler) Quota() *Quota { return h.quota }

// Clock returns the handler's clock, for vendor handlers that stamp times.
func (h *Handler) Clock() shopimg.Clock { return h.clock }

// Transport returns an http.RoundTripper that serves requests with the
// handler in process (see InProcess).
func (h *Handler) Transport() http.RoundTripper { return InProcess(h) }

// ErrDropped is the error an InProcess transport returns for a request
// whose connection a Drop fault closed. It wraps io.ErrUnexpectedEOF, what
// a client reading from a closed connection sees.
var ErrDropped = fmt.Errorf("fakestore: connection closed without a response: %w", io.ErrUnexpectedEOF)

// InProcess returns an http.RoundTripper that serves every request with h
// in the calling goroutine, without a listener or a connection: an
// *http.Client using it reaches the fake with no network at all, and a
// benchmark or a long test pays no socket cost. The handler sees the
// request as a server would (header names canonical, RequestURI set, a
// non-nil Body). A Drop fault, which cannot hijack a connection here, makes
// RoundTrip return an error matching ErrDropped; a request whose context
// has ended is not served.
func InProcess(h http.Handler) http.RoundTripper { return inProcess{h} }

type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(r *http.Request) (resp *http.Response, err error) {
	defer func() {
		if r.Body != nil {
			_ = r.Body.Close()
		}
	}()
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	sr := r.Clone(r.Context())
	sr.RequestURI = r.URL.RequestURI()
	sr.Header = make(http.Header, len(r.Header))
	for k, v := range r.Header {
		ck := http.CanonicalHeaderKey(k)
		sr.Header[ck] = append(sr.Header[ck], v...)
	}
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			resp, err = nil, ErrDropped
		}
	}()
	p.h.ServeHTTP(rec, sr)
	resp = rec.Result()
	resp.Request = r
	return resp, nil
}

// Server is a Handler listening on a local HTTP server (httptest). Its
// Recorder, Faults, Quota and Clock methods come from the embedded Handler.
type Server struct {
	*Handler
	// URL is the server's base URL, "http://127.0.0.1:port", without a
	// trailing slash.
	URL string

	ts *httptest.Server
}

// NewServer starts a server serving next through a new Handler. Call Close
// when done.
func NewServer(next http.Handler, opts Options) *Server {
	h := NewHandler(next, opts)
	ts := httptest.NewServer(h)
	return &Server{Handler: h, URL: ts.URL, ts: ts}
}

// Client returns an HTTP client for the server, whose idle connections are
// closed by Close.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close shuts the server down, waiting for requests in progress.
func (s *Server) Close() { s.ts.Close() }

// Send sends a request to the server with its client and returns the
// answer with its body read: a convenience for tests that check a vendor
// fake's raw HTTP. path is appended to the server's URL; body may be nil.
func (s *Server) Send(method, path string, header http.Header, body []byte) (*http.Response, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

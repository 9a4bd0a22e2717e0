package fakestore

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopimg/shopimg"
)

// Redacted replaces the value of every secret header in a RecordedRequest.
const Redacted = "REDACTED"

// DefaultSecretHeaders returns the header names Options.SecretHeaders
// defaults to: the credentials of every supported vendor (BigCommerce
// X-Auth-Token; 3dcart PrivateKey, Token and SecureURL; Shoptet
// Shoptet-*-Token; FinerWorks web_api_key and app_key) and the generic
// Authorization, Proxy-Authorization and Cookie. A name may contain "*"
// wildcards; names match case-insensitively.
func DefaultSecretHeaders() []string {
	return []string{
		"Authorization", "Proxy-Authorization", "Cookie",
		"X-Auth-Token", "PrivateKey", "Token", "SecureURL",
		"Shoptet-*-Token", "web_api_key", "app_key",
	}
}

// RecordedRequest is one request that reached the server, as the Recorder
// saw it.
type RecordedRequest struct {
	// Method is the request method.
	Method string
	// Path is the escaped path as received, without the query.
	Path string
	// RawQuery is the query string as received, without the "?".
	RawQuery string
	// Header holds the request headers, with the values of secret headers
	// replaced by Redacted. Content-Type is kept, so a body can be decoded.
	Header http.Header
	// Body is the request body, up to the recorder's limit.
	Body []byte
	// BodyTruncated reports that the body was longer than the limit.
	BodyTruncated bool
	// Status is the status sent: the handler's, a fault's or a quota
	// rejection's. Zero means no response was sent (the connection was
	// dropped or the handler aborted).
	Status int
	// Time is when the request arrived, by the server's clock.
	Time time.Time
}

// Query parses RawQuery, ignoring malformed pairs.
func (r RecordedRequest) Query() url.Values {
	v, _ := url.ParseQuery(r.RawQuery)
	return v
}

func (r RecordedRequest) clone() RecordedRequest {
	r.Header = r.Header.Clone()
	r.Body = bytes.Clone(r.Body)
	return r
}

// Recorder records every request reaching a Handler (see
// Handler.Recorder). It is safe for concurrent use. A request is recorded when the handler returns, before
// net/http finishes the response (and, for a dropped connection, before it
// closes), so once a client has read a whole response or seen its
// connection drop, the request is in the recorder. Requests are listed in
// the order they completed.
type Recorder struct {
	clock      shopimg.Clock
	secrets    []string          // lower case patterns
	pairs      []string          // secret value, Redacted, ...: what values replaces
	values     *strings.Replacer // secret values -> Redacted; nil when none (guarded by mu)
	maxBody    int64             // < 0: bodies are not kept
	maxRecords int               // 0: unlimited; < 0: none kept

	mu     sync.Mutex
	reqs   []RecordedRequest
	counts map[string]int // "METHOD /path" -> count
}

func newRecorder(clock shopimg.Clock, opts Options) *Recorder {
	secrets := opts.SecretHeaders
	if secrets == nil {
		secrets = DefaultSecretHeaders()
	}
	lower := make([]string, len(secrets))
	for i, s := range secrets {
		lower[i] = strings.ToLower(s)
	}
	maxBody := opts.MaxRecordedBody
	if maxBody == 0 {
		maxBody = DefaultMaxBody
	}
	rec := &Recorder{clock: clock, secrets: lower, maxBody: maxBody, maxRecords: opts.MaxRecords, counts: map[string]int{}}
	rec.addSecretsLocked(opts.Secrets)
	return rec
}

// AddSecrets makes the recorder replace values, raw, query-escaped or
// path-escaped, in the requests it records from now on, as it does
// Options.Secrets: for the credentials a fake issues while it runs (OAuth
// access and refresh tokens, authorization codes).
func (rec *Recorder) AddSecrets(values ...string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.addSecretsLocked(values)
}

func (rec *Recorder) addSecretsLocked(values []string) {
	n := len(rec.pairs)
	for _, v := range values {
		if v == "" {
			continue
		}
		rec.pairs = append(rec.pairs, v, Redacted)
		if q := url.QueryEscape(v); q != v {
			rec.pairs = append(rec.pairs, q, Redacted)
		}
		if p := url.PathEscape(v); p != v {
			rec.pairs = append(rec.pairs, p, Redacted)
		}
	}
	if len(rec.pairs) > n {
		rec.values = strings.NewReplacer(rec.pairs...)
	}
}

// replacer returns the current replacer of secret values (nil: none).
func (rec *Recorder) replacer() *strings.Replacer {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.values
}

// Requests returns a copy of the recorded requests, oldest first.
func (rec *Recorder) Requests() []RecordedRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := make([]RecordedRequest, len(rec.reqs))
	for i, r := range rec.reqs {
		out[i] = r.clone()
	}
	return out
}

// Count returns how many requests matched method and path since the last
// Reset. They match as in Fault: method case-insensitively (or any of a
// comma-separated list), path exactly or,
// ending in "*", as a prefix of the escaped path; empty matches anything.
// Count("PUT", "") is the number of PUTs. Counts survive Options.MaxRecords.
func (rec *Recorder) Count(method, path string) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for key, c := range rec.counts {
		m, p, _ := strings.Cut(key, " ")
		if matches(method, path, m, p) {
			n += c
		}
	}
	return n
}

// Writes returns how many write requests (POST, PUT, PATCH and DELETE, on
// any path, whatever their answer) reached the server since the last
// Reset: what a client that counts the write requests it sends must
// report.
func (rec *Recorder) Writes() int {
	n := 0
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		n += rec.Count(m, "")
	}
	return n
}

// Counts returns the number of requests per "METHOD /escaped/path" since the
// last Reset.
func (rec *Recorder) Counts() map[string]int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := make(map[string]int, len(rec.counts))
	for k, v := range rec.counts {
		out[k] = v
	}
	return out
}

// Reset forgets every recorded request and count.
func (rec *Recorder) Reset() {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reqs = nil
	clear(rec.counts)
}

func (rec *Recorder) add(r RecordedRequest) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.counts[r.Method+" "+r.Path]++
	switch {
	case rec.maxRecords < 0:
	case rec.maxRecords > 0 && len(rec.reqs) >= rec.maxRecords:
		rec.reqs = append(rec.reqs[1:], r) // amortised O(1): append reallocates
	default:
		rec.reqs = append(rec.reqs, r)
	}
}

func (rec *Recorder) redact(h http.Header) http.Header {
	values := rec.replacer()
	h = h.Clone()
	if h == nil {
		h = http.Header{}
	}
	for k, vs := range h {
		lk := strings.ToLower(k)
		secret := slices.ContainsFunc(rec.secrets, func(p string) bool { ok, _ := path.Match(p, lk); return ok })
		for i := range vs {
			switch {
			case secret:
				vs[i] = Redacted
			case values != nil:
				vs[i] = values.Replace(vs[i])
			}
		}
	}
	return h
}

// scrub replaces the secret values in s.
func (rec *Recorder) scrub(s string) string {
	if values := rec.replacer(); values != nil {
		return values.Replace(s)
	}
	return s
}

// wrap records every request passing through next.
func (rec *Recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entry := RecordedRequest{
			Method:   r.Method,
			Path:     rec.scrub(r.URL.EscapedPath()),
			RawQuery: rec.scrub(r.URL.RawQuery),
			Header:   rec.redact(r.Header),
			Time:     rec.clock.Now(),
		}
		if rec.maxBody > 0 && r.Body != nil && r.Body != http.NoBody {
			r2 := *r
			entry.Body, entry.BodyTruncated, r2.Body = peekBody(r.Body, rec.maxBody)
			entry.Body = []byte(rec.scrub(string(entry.Body)))
			r = &r2
		}
		// The entry is added once: when the handler returns, or, for a
		// hijacked connection, before it is closed, so a client that sees
		// the end of its response or connection finds its request recorded.
		var once sync.Once
		record := func(status int) {
			once.Do(func() {
				entry.Status = status
				rec.add(entry)
			})
		}
		sw := &statusWriter{ResponseWriter: w, beforeClose: func() { record(0) }}
		completed := false
		defer func() {
			switch {
			case !completed || sw.hijacked:
				record(0)
			case sw.status == 0:
				record(http.StatusOK) // what net/http sends for a silent handler
			default:
				record(sw.status)
			}
		}()
		next.ServeHTTP(sw, r)
		completed = true
	})
}

// peekBody reads up to limit bytes of body and returns them, whether more
// followed, and a body that replays what was read followed by the rest. It
// never holds more than limit bytes.
func peekBody(body io.ReadCloser, limit int64) (head []byte, truncated bool, replay io.ReadCloser) {
	head, err := io.ReadAll(io.LimitReader(body, limit))
	rest := io.Reader(body)
	if err != nil {
		rest = errReader{err}
	} else if int64(len(head)) == limit {
		var one [1]byte
		n, err := io.ReadFull(body, one[:])
		switch {
		case n == 1:
			truncated = true
			rest = io.MultiReader(bytes.NewReader(one[:]), body)
		case err != io.EOF && err != io.ErrUnexpectedEOF:
			rest = errReader{err}
		}
	}
	return head, truncated, readCloser{io.MultiReader(bytes.NewReader(head), rest), body}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

type readCloser struct {
	io.Reader
	io.Closer
}

// statusWriter remembers the status sent and whether the connection was
// hijacked, and calls beforeClose before a hijacked connection closes.
// Unwrap lets http.ResponseController reach the real writer.
type statusWriter struct {
	http.ResponseWriter
	status      int
	hijacked    bool
	beforeClose func()
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	s.hijacked = true
	return &hookConn{Conn: conn, beforeClose: s.beforeClose}, rw, nil
}

// hookConn is a hijacked connection that calls beforeClose when closed.
type hookConn struct {
	net.Conn
	once        sync.Once
	beforeClose func()
}

func (c *hookConn) Close() error {
	c.once.Do(c.beforeClose)
	return c.Conn.Close()
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// matches reports whether a request's method and escaped path match the
// patterns wantMethod and wantPath (see Fault.Method and Fault.Path).
func matches(wantMethod, wantPath, method, p string) bool {
	if wantMethod != "" && !slices.ContainsFunc(strings.Split(wantMethod, ","), func(m string) bool { return strings.EqualFold(strings.TrimSpace(m), method) }) {
		return false
	}
	if prefix, ok := strings.CutSuffix(wantPath, "*"); ok {
		return strings.HasPrefix(p, prefix)
	}
	return wantPath == "" || wantPath == p
}

// Matches reports whether a request's method and escaped path match the
// patterns of a Fault's Method and Path (and of Recorder.Count).
func Matches(wantMethod, wantPath, method, path string) bool {
	return matches(wantMethod, wantPath, method, path)
}

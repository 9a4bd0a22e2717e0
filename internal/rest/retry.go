package rest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg"
)

type attemptKey struct{}

// attempt is the state of one Do call across its attempts. It travels in the
// request context, because retryablehttp's hooks see only the request. Each
// attempt's outcome is judged in checkRetry, which reads the whole answer;
// Do returns the last attempt's.
type attempt struct {
	effect       Effect
	method, path string
	out          any
	creds        *credentials
	secrets      []string  // values of dynamic credentials sent
	red          *redactor // built on first use
	start        time.Time
	attempts     int
	reserved     bool          // a rate-limit slot is held
	body         io.Closer     // the request body of the attempt in flight
	wait         time.Duration // before the next attempt
	retryAfter   time.Duration // what the server asked for last
	maybeActed   bool          // a write may have been carried out by an attempt whose answer was lost

	// The last answer, if any.
	status    int
	header    http.Header
	requestID string
	rate      RateInfo
	haveRate  bool

	// The last attempt's outcome: exactly one is set.
	ok         bool
	apiErr     *shopimg.APIError // an error status, or a 2xx reporting an error
	netErr     error             // no answer
	badBody    string            // a 2xx answer that cannot be read
	prepareErr error             // the next attempt could not start
}

func stateOf(ctx context.Context) *attempt {
	st, _ := ctx.Value(attemptKey{}).(*attempt)
	return st
}

func (st *attempt) addSecret(v string) {
	if !slices.Contains(st.secrets, v) {
		st.secrets = append(st.secrets, v)
		st.red = nil
	}
}

// redactor removes every credential this call sent.
func (st *attempt) redactor() *redactor {
	if len(st.secrets) == 0 {
		return st.creds.red
	}
	if st.red == nil {
		st.red = newRedactor(append(slices.Clone(st.creds.fixed), st.secrets...))
	}
	return st.red
}

// closeBody closes the attempt's request body once its answer is in: the
// transport may have answered without reading it all (an early error
// status), and an upload's streaming goroutine and file stay open until it
// is closed.
func (st *attempt) closeBody() {
	if st.body != nil {
		st.body.Close()
		st.body = nil
	}
}

func (st *attempt) clearOutcome() {
	st.ok, st.apiErr, st.netErr, st.badBody, st.prepareErr = false, nil, nil, "", nil
}

// checkRetry is retryablehttp's CheckRetry. It reads the whole answer,
// judges it (a success, an error status, an error reported in a 2xx body,
// an unreadable answer, no answer) and decides whether to retry and after
// how long; prepareRetry then sleeps.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateOf(ctx)
	if st == nil { // not a request of ours
		return false, err
	}
	st.attempts++
	st.reserved = false
	var info RateInfo
	var haveInfo bool
	if resp != nil && c.cfg.ReadRate != nil {
		info, haveInfo = c.cfg.ReadRate(resp.Header)
	}
	if err != nil && resp == nil && neverSent(err) {
		c.limiter.Release() // the platform saw nothing: its quota is untouched
	} else {
		c.limiter.Observe(info, haveInfo)
	}
	if resp != nil {
		st.status, st.header = resp.StatusCode, resp.Header
		st.rate, st.haveRate = info, haveInfo
		if c.cfg.RequestIDHeader != "" {
			st.requestID = resp.Header.Get(c.cfg.RequestIDHeader)
		}
	}
	st.clearOutcome()
	var retry bool
	switch {
	case err != nil:
		retry = c.judgeTransport(ctx, st, err)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		st.apiErr = c.readError(st, resp)
		retry = c.judgeStatus(st, resp.Header, info, haveInfo)
	default:
		retry = c.judgeBody(st, resp, info, haveInfo)
	}
	st.closeBody() // the answer is read
	c.logAttempt(st)
	return retry, nil
}

// judgeTransport judges an attempt that got no answer.
func (c *Client) judgeTransport(ctx context.Context, st *attempt, err error) bool {
	st.netErr = err
	switch {
	case ctx.Err() != nil:
		// The request may have been sent before the context ended.
		st.maybeActed = st.maybeActed || st.effect == Create
		return false
	case neverActedOn(err):
		return false
	case st.effect == Create && !isDialError(err):
		st.maybeActed = true
		return false
	case isPermanentNetError(err):
		return false
	}
	if st.effect == Write && !isDialError(err) {
		st.maybeActed = true // the retry resends an idempotent write
	}
	st.wait = c.backoff(st.attempts)
	return true
}

// judgeStatus judges an attempt answered with the error st.apiErr.
func (c *Client) judgeStatus(st *attempt, h http.Header, info RateInfo, haveInfo bool) bool {
	e := st.apiErr
	status := e.StatusCode
	ok2xx := st.status >= 200 && st.status <= 299
	if !refusal(e) && (st.effect == Create || (st.effect == Write && ok2xx)) {
		// A create that may have happened; or a write the platform
		// answered 2xx with an error in the body, which it may have done.
		st.maybeActed = true
	}
	capWait := c.cfg.Retry.MaxRetryAfter
	switch {
	case status == http.StatusTooManyRequests || slices.Contains(c.cfg.PauseStatuses, status):
		ra := retryAfter(h, c.cfg.Clock.Now())
		if status == http.StatusTooManyRequests && haveInfo {
			ra = max(ra, clampWait(info.RetryAfter), clampWait(info.Reset))
		}
		st.retryAfter = ra
		e.RetryAfter = max(e.RetryAfter, ra)
		// Every request of the store holds for the pause, also when it is
		// longer than this call waits: the next call then fails at once,
		// unsent, instead of asking again.
		c.limiter.PauseFor(ra)
		if ra > capWait {
			// Longer than we are willing to wait: fail now, with RetryAfter.
			return false
		}
		if ra > 0 {
			st.wait = min(jitterUp(ra), capWait)
		} else {
			// No hint (a 429 from platform load, or a lock): back off.
			st.wait = c.backoff(st.attempts)
		}
		return true
	case status >= 500 && status != http.StatusNotImplemented:
		if st.effect == Create {
			return false
		}
		if st.effect == Write {
			st.maybeActed = true // a server error may come after the write
		}
		ra := retryAfter(h, c.cfg.Clock.Now())
		st.retryAfter = ra
		e.RetryAfter = max(e.RetryAfter, ra)
		if ra > capWait {
			return false
		}
		st.wait = c.backoff(st.attempts)
		if ra > 0 {
			st.wait = max(st.wait, min(jitterUp(ra), capWait))
		}
		return true
	}
	return false
}

// judgeBody reads and decodes a 2xx answer into st.out and lets it check
// itself. An answer that cannot be read is retried for a read (a proxy's
// page, a connection cut mid-body); for a write, the platform answered 2xx,
// so it probably acted, and the outcome is unknown.
func (c *Client) judgeBody(st *attempt, resp *http.Response, info RateInfo, haveInfo bool) bool {
	body, truncated, err := readLimited(resp.Body, c.cfg.MaxBody)
	resp.Body.Close()
	resp.Body = http.NoBody
	ct := resp.Header.Get("Content-Type")
	switch {
	case truncated:
		st.badBody = "the answer is larger than the client reads (MaxBody " + strconv.FormatInt(c.cfg.MaxBody, 10) + " bytes)"
		st.maybeActed = st.maybeActed || st.effect != Read
		return false
	case err != nil:
		st.badBody = "reading the answer: " + err.Error()
		return c.unreadable(st)
	case len(body) > 0 && isHTML(ct, body) && !looksJSON(body):
		st.badBody = "expected JSON, got " + describeBody(ct, st.redactor().Bytes(body), false, nil)
		return c.unreadable(st)
	}
	if st.out == nil && len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		// Nothing is decoded, but a cut or garbled answer is not a success.
		st.badBody = "the answer is not valid JSON"
		return c.unreadable(st)
	}
	if st.out != nil {
		if st.attempts > 1 {
			zero(st.out) // an earlier attempt may have half decoded into it
		}
		if resp.StatusCode != http.StatusNoContent && len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, st.out); err != nil {
				st.badBody = "decoding the answer: " + err.Error()
				return c.unreadable(st)
			}
		}
	}
	if chk, ok := st.out.(BodyChecker); ok {
		// The body is redacted and cut only when it reports an error: a
		// success costs no scan (the checker may shorten Body first).
		e := c.newAPIError(st, resp, body)
		if chk.CheckBody(e) {
			red := st.redactor()
			e.Body, _ = red.keep(e.Body[:min(int64(len(e.Body)), c.cfg.MaxErrorBody+red.slack())], c.cfg.MaxErrorBody)
			st.apiErr = e
			return c.judgeStatus(st, resp.Header, info, haveInfo)
		}
	}
	st.ok = true
	return false
}

// looksJSON reports whether body starts like a JSON object or array, so a
// JSON answer mislabelled text/html is still read as JSON.
func looksJSON(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// unreadable judges a 2xx answer that cannot be read: retried for a read,
// for a write the outcome is unknown.
func (c *Client) unreadable(st *attempt) bool {
	if st.effect != Read {
		st.maybeActed = true
		return false
	}
	st.wait = c.backoff(st.attempts)
	return true
}

// refusal reports whether an error answer proves the request was not
// carried out: a 4xx other than 408, or a Kind saying the same.
func refusal(e *shopimg.APIError) bool {
	switch e.Kind {
	case shopimg.ErrInvalidInput, shopimg.ErrUnauthorized, shopimg.ErrNotFound, shopimg.ErrConflict, shopimg.ErrRateLimited:
		return true
	case nil:
		return e.StatusCode >= 400 && e.StatusCode < 500 && e.StatusCode != http.StatusRequestTimeout
	}
	return false
}

// prepareRetry is retryablehttp's PrepareRetry, called only when a retry
// will really be sent (checkRetry cannot know whether retries are used up):
// it logs the retry, waits (retryablehttp's own timer was given zero), then
// readies the attempt as Do does.
func (c *Client) prepareRetry(req *http.Request) error {
	ctx := req.Context()
	st := stateOf(ctx)
	if st == nil {
		return nil
	}
	c.logRetry(st)
	err := c.cfg.Clock.Sleep(ctx, st.wait)
	if err == nil {
		err = c.start(ctx, st, req)
	}
	if err != nil {
		st.prepareErr = err
	}
	return err
}

// backoff is the exponential backoff before retry n (1-based), with "equal
// jitter": a random duration in [d/2, d], capped at MaxWait.
func (c *Client) backoff(n int) time.Duration {
	p := c.cfg.Retry
	d := p.MinWait
	for i := 1; i < n && d < p.MaxWait; i++ {
		d *= 2
	}
	d = min(d, p.MaxWait)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// jitterUp adds up to 10% to a server-requested wait, so that many clients
// told the same time do not all come back at once. Callers cap the result.
func jitterUp(d time.Duration) time.Duration {
	if d < 10 {
		return d
	}
	return d + rand.N(d/10+1)
}

func (c *Client) logAttempt(st *attempt) {
	c.log(st, slog.LevelDebug, "shopimg request", slog.Duration("elapsed", c.cfg.Clock.Now().Sub(st.start)))
}

func (c *Client) logRetry(st *attempt) {
	c.log(st, slog.LevelWarn, "shopimg retry", slog.Duration("wait", st.wait))
}

// log writes one line about the last attempt, every text in it stripped of
// the credentials sent.
func (c *Client) log(st *attempt, level slog.Level, msg string, timing slog.Attr) {
	l := c.cfg.Logger
	if l == nil || !l.Enabled(context.Background(), level) {
		return
	}
	red := st.redactor()
	attrs := []slog.Attr{
		slog.String("platform", c.cfg.Platform),
		slog.String("method", st.method),
		slog.String("path", red.String(st.path)),
		slog.Int("attempt", st.attempts),
		timing,
	}
	if st.status != 0 && st.netErr == nil {
		attrs = append(attrs, slog.Int("status", st.status))
	}
	if text := st.outcomeText(); text != "" {
		attrs = append(attrs, slog.String("error", red.String(text)))
	}
	l.LogAttrs(context.Background(), level, msg, attrs...)
}

// outcomeText describes the last attempt's failure ("" for none), before
// redaction.
func (st *attempt) outcomeText() string {
	switch {
	case st.apiErr != nil:
		return st.apiErr.Error()
	case st.netErr != nil:
		return st.netErr.Error()
	}
	return st.badBody
}

// retryAfter parses the Retry-After header, in seconds or as an HTTP date,
// relative to now, clamped to MaxReportedWait. It returns 0 when absent or
// unparsable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	return ParseRetryAfter(h.Get("Retry-After"), now)
}

// ParseRetryAfter parses a Retry-After value: delay seconds (a fraction is
// kept) or an HTTP date. It returns 0 for an empty, invalid or past value,
// and clamps a longer one to MaxReportedWait.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if !(secs > 0) { // also refuses NaN
			return 0
		}
		if secs >= MaxReportedWait.Seconds() { // also +Inf
			return MaxReportedWait
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return clampWait(d)
		}
	}
	return 0
}

// isDialError reports whether err happened before anything was sent: the
// connection could not be made (dial, DNS, proxy connect).
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// isPermanentNetError reports transport errors a retry cannot fix.
func isPermanentNetError(err error) bool {
	if neverActedOn(err) || isRedirectError(err) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "stopped after") && strings.Contains(msg, "redirects")
}

// neverActedOn reports transport errors after which the server surely did
// not act on the request, and which a retry cannot fix: the certificate
// was refused before anything was sent, the URL scheme is not HTTP, or the
// upload's source did not match its size (so the body was cut short).
func neverActedOn(err error) bool {
	var size *sizeError
	return errors.As(err, &size) || refusedBeforeSending(err)
}

// neverSent reports transport errors after which nothing reached the
// platform, so its quota is untouched: no connection could be made, its
// certificate was refused, or the URL scheme is not HTTP.
func neverSent(err error) bool { return isDialError(err) || refusedBeforeSending(err) }

// refusedBeforeSending reports a refused certificate or a URL scheme that
// is not HTTP.
func refusedBeforeSending(err error) bool {
	var (
		unknownCA    x509.UnknownAuthorityError
		hostname     x509.HostnameError
		invalid      x509.CertificateInvalidError
		verification *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verification) {
		return true
	}
	return strings.Contains(err.Error(), "unsupported protocol scheme")
}

package rest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

type attemptKey struct{}

// attempt is the state of one Do call across its attempts. It travels in the
// request context, because retryablehttp's hooks see only the request.
type attempt struct {
	op           Op
	method, path string
	start        time.Time
	attempts     int
	wait         time.Duration // before the next attempt
	retryAfter   time.Duration // what the server asked for last
	rate         RateInfo
	maybeActed   bool  // a create may have been carried out by some attempt
	lastStatus   int   // the status of the last attempt, 0 if none
	lastErr      error // the transport error of the last attempt
}

func stateOf(ctx context.Context) *attempt {
	st, _ := ctx.Value(attemptKey{}).(*attempt)
	return st
}

// checkRetry is retryablehttp's CheckRetry: it decides whether to retry and
// computes the wait, which prepareRetry then sleeps.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateOf(ctx)
	if st == nil { // not a request of ours
		return false, err
	}
	st.attempts++
	var info RateInfo
	var haveInfo bool
	if resp != nil && c.cfg.ReadRate != nil {
		info, haveInfo = c.cfg.ReadRate(resp.Header)
		if haveInfo {
			st.rate = info
		}
	}
	c.limiter.Observe(info, haveInfo)
	c.logAttempt(st, resp, err)
	st.lastStatus, st.lastErr = 0, err
	if resp != nil {
		st.lastStatus = resp.StatusCode
	}
	if err != nil && ctx.Err() != nil {
		// The request may have been sent before the context ended.
		st.maybeActed = st.maybeActed || st.op == OpCreate
		return false, ctx.Err()
	}
	if err != nil {
		if neverActedOn(err) {
			return false, nil
		}
		if st.op == OpCreate && !isDialError(err) {
			st.maybeActed = true
			return false, nil
		}
		if isPermanentNetError(err) {
			return false, nil
		}
		st.wait = c.backoff(st.attempts)
		return true, nil
	}
	status := resp.StatusCode
	pause := status == http.StatusTooManyRequests || slices.Contains(c.cfg.PauseStatuses, status)
	switch {
	case pause:
		ra := retryAfter(resp.Header, c.cfg.Clock.Now())
		if status == http.StatusTooManyRequests && haveInfo {
			ra = max(ra, info.RetryAfter, info.Reset)
		}
		st.retryAfter = ra
		if ra > c.cfg.Retry.MaxRetryAfter {
			// Longer than we are willing to wait: fail now, with RetryAfter.
			return false, nil
		}
		if ra > 0 {
			c.limiter.PauseFor(ra)
			st.wait = jitterUp(ra)
		} else {
			// No hint (a 429 from platform load, or a lock): back off.
			st.wait = c.backoff(st.attempts)
		}
	case status >= 500 && status != http.StatusNotImplemented:
		if st.op == OpCreate {
			return false, nil
		}
		ra := retryAfter(resp.Header, c.cfg.Clock.Now())
		st.retryAfter = ra
		if ra > c.cfg.Retry.MaxRetryAfter {
			return false, nil
		}
		st.wait = max(ra, c.backoff(st.attempts))
	default:
		return false, nil
	}
	return true, nil
}

// prepareRetry is retryablehttp's PrepareRetry, called only when a retry
// will really be sent (checkRetry cannot know whether retries are used up):
// it logs the retry, waits (retryablehttp's own timer was given zero), then
// takes a rate-limit slot and reopens the body.
func (c *Client) prepareRetry(req *http.Request) error {
	ctx := req.Context()
	if st := stateOf(ctx); st != nil {
		c.logRetry(st, st.lastStatus, st.lastErr)
		if err := c.cfg.Clock.Sleep(ctx, st.wait); err != nil {
			return err
		}
	}
	if err := c.limiter.Wait(ctx); err != nil {
		return err
	}
	if c.cfg.Auth != nil {
		req.Header = req.Header.Clone()
		c.cfg.Auth(req.Header)
	}
	return openBody(req)
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
// told the same time do not all come back at once.
func jitterUp(d time.Duration) time.Duration {
	if d < 10 {
		return d
	}
	return d + rand.N(d/10+1)
}

func (c *Client) logRetry(st *attempt, status int, err error) {
	l := c.cfg.Logger
	if l == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("platform", c.cfg.Platform),
		slog.String("method", st.method),
		slog.String("path", st.path),
		slog.Int("attempt", st.attempts),
		slog.Duration("wait", st.wait),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redactErr(err).Error()))
	}
	l.LogAttrs(context.Background(), slog.LevelWarn, "shopimg retry", attrs...)
}

// retryAfter parses the Retry-After header, in seconds or as an HTTP date,
// relative to now. It returns 0 when absent or unparsable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	return ParseRetryAfter(h.Get("Retry-After"), now)
}

// ParseRetryAfter parses a Retry-After value: delay seconds or an HTTP date.
// It returns 0 for an empty, invalid or past value.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if !(secs > 0 && secs <= 1e9) { // also refuses NaN and Inf
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
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
	if errors.As(err, &size) {
		return true
	}
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

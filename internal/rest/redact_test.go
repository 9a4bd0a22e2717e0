package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// The credentials of the redaction tests, beside the harness's X-Auth-Token:
// a header in 3dcart's spelling and a query parameter whose name is in no
// list of secret names, both holding characters that every encoding
// changes ('/', '+', '&', '=', a space).
const (
	privateKey = "Priv/Key+9f8e&7d=Z"
	signature  = "sig 4a7b/c9d2+e1Q"
)

// withEchoCredentials declares privateKey, signature and an OAuth-like
// Authorization token from a Source, which hands out a new token per
// attempt and records it in secrets.
func withEchoCredentials(secrets *secretSet) func(*rest.Config) {
	var n atomic.Int64
	return func(c *rest.Config) {
		c.Credentials = append(c.Credentials,
			rest.Credential{Header: "PrivateKey", Value: privateKey},
			rest.Credential{Query: "signature", Value: signature},
			rest.Credential{Header: "Authorization", Prefix: "Bearer ", Source: func(context.Context) (string, error) {
				tok := fmt.Sprintf("oauth-Tok/%d-z9y8x7w6", n.Add(1))
				secrets.add(tok)
				return tok, nil
			}},
		)
	}
}

// echoText is the request as a server that echoes it shows it: every header
// and the query, raw and decoded.
func echoText(r *http.Request) string {
	var parts []string
	for k, vs := range r.Header {
		parts = append(parts, k+"="+strings.Join(vs, ","))
	}
	for k, vs := range r.URL.Query() {
		parts = append(parts, "q."+k+"="+strings.Join(vs, ","))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ") + "; query=" + r.URL.RawQuery
}

// jsonString returns s as the inside of a JSON string, leaving HTML
// characters and slashes as they are.
func jsonString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(strings.TrimSpace(buf.String()), `"`)[1:]
}

// echoEnvelope is a 2xx answer carrying an error, whose check copies the
// echoed text into the error's Message, Code and Details.
type echoEnvelope struct {
	Error string `json:"error"`
}

func (e *echoEnvelope) CheckBody(ae *shopimg.APIError) bool {
	if e.Error == "" {
		return false
	}
	ae.StatusCode = http.StatusBadRequest
	ae.Message, ae.Code = e.Error, e.Error
	ae.Details = []shopimg.FieldError{{Field: e.Error, Message: e.Error}}
	return true
}

// decodeJSONError is an ErrorDecoder reading {"error": "..."} into Message
// and Details, as a vendor's would.
func decodeJSONError(e *shopimg.APIError, h http.Header, body []byte) {
	var v struct{ Error string }
	if json.Unmarshal(body, &v) == nil && v.Error != "" {
		e.Message = v.Error
		e.Details = []shopimg.FieldError{{Field: "echo", Message: v.Error}}
	}
}

// TestEchoedCredentialsAreRedacted: a server echoes every header and the
// query of the request, written in each encoding of rest.Encodings, in
// each way an answer can carry text (a JSON error, an HTML error page with
// the text in its title, a 2xx body whose envelope reports an error, a
// plain-text error); no credential, fixed or from the Source, shows in the
// error, anything it wraps, the logs or the client.
func TestEchoedCredentialsAreRedacted(t *testing.T) {
	t.Parallel()
	bodies := map[string]struct {
		status int
		ctype  string
		page   func(enc string) string
	}{
		"json error": {http.StatusBadRequest, "application/json", func(enc string) string { return `{"error":"` + enc + `"}` }},
		"html error": {http.StatusBadGateway, "text/html", func(enc string) string {
			return "<!DOCTYPE html><html><head><title>Failed: " + enc + "</title></head><body><pre>" + enc + "</pre></body></html>"
		}},
		"2xx envelope": {http.StatusOK, "application/json", func(enc string) string { return `{"error":"` + enc + `"}` }},
		"text error":   {http.StatusUnprocessableEntity, "text/plain", func(enc string) string { return enc }},
	}
	for bodyName, body := range bodies {
		for encName, encode := range rest.Encodings {
			t.Run(bodyName+"/"+encName, func(t *testing.T) {
				t.Parallel()
				secrets := newSecretSet(secret, privateKey, signature)
				hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
					text := encode(echoText(r))
					if encName == "raw" || encName == "case" {
						text = jsonString(text)
					}
					w.Header().Set("Content-Type", body.ctype)
					w.WriteHeader(body.status)
					_, _ = w.Write([]byte(body.page(text)))
				}, withEchoCredentials(secrets), func(c *rest.Config) {
					c.Retry.MaxRetries = 1
					c.DecodeError = decodeJSONError
				})
				_, err := hs.client.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "items"}, &echoEnvelope{})
				if err == nil {
					t.Fatal("no error")
				}
				seen := assertNoSecret(t, secrets.all(), err, hs.logs.String(), hs.client)
				if !redactedSomewhere(seen) {
					t.Errorf("REDACTED shows nowhere: the echo did not reach the error: %v", err)
				}
			})
		}
	}
}

// TestCredentialsRedactedOnEveryPath: the other ways a credential can come
// back: a redirect to another origin whose Location holds it in its path or
// in a query parameter no list calls secret, a 2xx body that fails to
// decode with a message repeating a field's value, a transport error
// repeating the request, and the cut a length limit makes in a message.
func TestCredentialsRedactedOnEveryPath(t *testing.T) {
	t.Parallel()
	type when struct {
		When time.Time `json:"when"`
	}
	cases := []struct {
		name      string
		handler   http.HandlerFunc
		transport func(r *http.Request) (*http.Response, error) // instead of the server
		out       any
	}{
		{name: "redirect with the token in its path", handler: func(w http.ResponseWriter, r *http.Request) {
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			w.Header().Set("Location", "https://evil.example/steal/"+tok+"/"+privateKey)
			w.WriteHeader(http.StatusFound)
		}},
		{name: "redirect with the token percent-escaped in its path", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "https://evil.example/"+url.PathEscape(privateKey)+"/"+url.PathEscape(r.Header.Get("Authorization")))
			w.WriteHeader(http.StatusTemporaryRedirect)
		}},
		{name: "redirect with the token in a plain query parameter", handler: func(w http.ResponseWriter, r *http.Request) {
			q := url.Values{"state": {privateKey}, "next": {r.Header.Get("Authorization")}, "sig": {signature}}
			w.Header().Set("Location", "https://evil.example/cb?"+q.Encode())
			w.WriteHeader(http.StatusFound)
		}},
		{name: "2xx body that fails to decode", out: &when{}, handler: func(w http.ResponseWriter, r *http.Request) {
			okJSON(`{"when":"`+privateKey+" "+r.Header.Get("Authorization")+`"}`)(w, r)
		}},
		{name: "transport error repeating the request", transport: func(r *http.Request) (*http.Response, error) {
			return nil, fmt.Errorf("proxy refused %s with %v", r.URL, r.Header)
		}},
		{name: "text cut at the message limit", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			// The echo starts where the 300-character message is cut.
			_, _ = fmt.Fprintf(w, "%s%s %s", strings.Repeat("x", 295), privateKey, echoText(r))
		}},
		{name: "text cut at the error body limit", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, "%s%s %s", strings.Repeat("x", rest.DefaultMaxErrorBody-10), privateKey, echoText(r))
		}},
		{name: "title cut at its limit", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, "<html><title>%s%s</title></html>", strings.Repeat("y", 115), privateKey)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			secrets := newSecretSet(secret, privateKey, signature)
			hs := newHarness(t, tc.handler, withEchoCredentials(secrets), func(c *rest.Config) {
				c.Retry.MaxRetries = 1
				if tc.transport != nil {
					c.HTTPClient = &http.Client{Transport: rtFunc(tc.transport)}
				}
			})
			_, err := hs.client.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "items", Query: url.Values{"page": {"2"}}}, tc.out)
			if err == nil {
				t.Fatal("no error")
			}
			seen := assertNoSecret(t, secrets.all(), err, hs.logs.String(), hs.client)
			if !redactedSomewhere(seen) {
				t.Errorf("REDACTED shows nowhere: the secret did not reach the error: %v", err)
			}
			if !shopimgCategory(err) {
				t.Errorf("err = %v matches no category", err)
			}
		})
	}
}

// TestRedactedErrorsKeepTheirTypes: the copies that replace errors holding
// a credential still answer errors.Is and errors.As as the originals did.
func TestRedactedErrorsKeepTheirTypes(t *testing.T) {
	t.Parallel()
	secrets := newSecretSet(secret)
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://evil.example/"+r.Header.Get("X-Auth-Token"))
		w.WriteHeader(http.StatusFound)
	})
	_, err := hs.client.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	assertNoSecret(t, secrets.all(), err, hs.logs.String(), hs.client)
	var ue *url.Error
	var re *rest.RedirectError
	var ce *rest.CallError
	if !errors.As(err, &ue) || !errors.As(err, &re) || !errors.As(err, &ce) || !errors.Is(err, shopimg.ErrUnavailable) {
		t.Errorf("err = %#v: want a *url.Error, a *rest.RedirectError and a *rest.CallError matching ErrUnavailable", err)
	}
	if ue != nil && !strings.Contains(ue.URL, "REDACTED") {
		t.Errorf("url.Error.URL = %q, want the token replaced", ue.URL)
	}

	// A cause that is no known type, holding the secret: errors.Is still
	// finds the sentinel under it.
	errHidden := errors.New("hidden sentinel")
	hs2 := newHarness(t, nil, func(c *rest.Config) {
		c.HTTPClient = &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
			return nil, fmt.Errorf("token %s refused: %w", r.Header.Get("X-Auth-Token"), errHidden)
		})}
		c.Retry.MaxRetries = 0
	})
	_, err = hs2.client.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	assertNoSecret(t, secrets.all(), err, hs2.logs.String(), hs2.client)
	if !errors.Is(err, errHidden) || !errors.Is(err, shopimg.ErrUnavailable) {
		t.Errorf("err = %v: want it to match the wrapped sentinel and ErrUnavailable", err)
	}
}

// tapListener records every byte the server reads, to see the request as
// it went on the wire (net/http's server canonicalises header names in
// r.Header, so only the bytes show the client's spelling).
type tapListener struct {
	net.Listener
	rec *syncBuffer
}

func (l tapListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return tapConn{c, l.rec}, nil
}

type tapConn struct {
	net.Conn
	rec *syncBuffer
}

func (c tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	_, _ = c.rec.Write(p[:n])
	return n, err
}

// TestCredentialsOnTheWire: every credential goes out on every attempt
// exactly once, with the header name spelled as declared (not in Go's
// canonical form), and query credentials in the query.
func TestCredentialsOnTheWire(t *testing.T) {
	t.Parallel()
	wire := &syncBuffer{}
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Listener = tapListener{srv.Listener, wire}
	srv.Start()
	t.Cleanup(srv.Close)
	var sent []http.Header // the header maps as the client's transport got them
	spy := rtFunc(func(r *http.Request) (*http.Response, error) {
		sent = append(sent, r.Header.Clone())
		return http.DefaultTransport.RoundTrip(r)
	})
	cfg := rest.Config{
		Settings: rest.DefaultSettings(srv.URL), Platform: "testvendor",
		Credentials: []rest.Credential{
			{Header: "PrivateKey", Value: "pk-123456"},
			{Header: "SecureURL", Value: "https://shop.example"},
			{Header: "web_api_key", Value: "wak-123456"},
			{Header: "Token", Value: "tok-123456"},
			{Query: "app_key", Value: "ak-123456"},
			{Header: "authorization", Prefix: "Bearer ", Source: func(context.Context) (string, error) { return "oauth-123456", nil }},
		},
	}
	cfg.HTTPClient = &http.Client{Transport: spy}
	cfg.Clock = newClock()
	c, err := rest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x", Query: url.Values{"page": {"1"}},
		Header: http.Header{"Privatekey": {"spoofed"}}}, nil)
	if err != nil || resp.Attempts != 2 {
		t.Fatalf("resp %+v, err %v; want success on the second attempt", resp, err)
	}
	raw := wire.String()
	for _, line := range []string{
		"\r\nPrivateKey: pk-123456\r\n", "\r\nSecureURL: https://shop.example\r\n",
		"\r\nweb_api_key: wak-123456\r\n", "\r\nToken: tok-123456\r\n", "\r\nauthorization: Bearer oauth-123456\r\n",
	} {
		if n := strings.Count(raw, line); n != 2 {
			t.Errorf("%q is on the wire %d times, want once per attempt (2)", strings.TrimSpace(line), n)
		}
		name := strings.SplitN(strings.TrimSpace(line), ":", 2)[0]
		if n := strings.Count(strings.ToLower(raw), "\r\n"+strings.ToLower(name)+":"); n != 2 {
			t.Errorf("a %s header is on the wire %d times, want 2 (no second spelling)", name, n)
		}
	}
	if n := strings.Count(raw, "GET /x?app_key=ak-123456&page=1 HTTP/1.1\r\n"); n != 2 {
		t.Errorf("request line with the query credential seen %d times, want 2:\n%s", n, raw)
	}
	for i, h := range sent {
		var keys []string
		for k := range h {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := []string{"Accept", "PrivateKey", "SecureURL", "Token", "User-Agent", "authorization", "web_api_key"}
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("attempt %d header names (-want +got):\n%s", i+1, diff)
		}
	}
}

// TestCredentialSourcePerAttempt: a Source is asked once per attempt, each
// attempt sends the token it got, and every token it gave is redacted.
func TestCredentialSourcePerAttempt(t *testing.T) {
	t.Parallel()
	var got []string
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = fmt.Fprintf(w, "bad %s", r.Header.Get("Authorization"))
	}, func(c *rest.Config) {
		var n atomic.Int64
		c.Credentials = append(c.Credentials, rest.Credential{Header: "Authorization", Prefix: "Bearer ", Source: func(context.Context) (string, error) {
			return fmt.Sprintf("token-number-%d", n.Add(1)), nil
		}})
	})
	_, err := hs.client.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	want := []string{"Bearer token-number-1", "Bearer token-number-2", "Bearer token-number-3", "Bearer token-number-4"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tokens the server saw (-want +got):\n%s", diff)
	}
	assertNoSecret(t, []string{"token-number-1", "token-number-2", "token-number-3", "token-number-4"}, err, hs.logs.String(), hs.client)
	if !errors.Is(err, shopimg.ErrUnavailable) || !strings.Contains(err.Error(), "bad Bearer REDACTED") {
		t.Errorf("err = %v", err)
	}
}

// TestCredentialSourceError: a failing Source ends the call before anything
// is sent, with an error matching ErrUnauthorized unless the Source's error
// has a category of its own; a token of an earlier attempt that the
// Source's error repeats is redacted.
func TestCredentialSourceError(t *testing.T) {
	t.Parallel()
	errPlain := errors.New("refresh token revoked")
	cases := []struct {
		name     string
		err      func(prev string) error
		want     error
		notWant  error
		firstOK  bool // the first attempt gets a token and a 503
		wantHits int64
	}{
		{name: "plain", err: func(string) error { return errPlain }, want: shopimg.ErrUnauthorized, wantHits: 0},
		{name: "has a category", err: func(string) error { return fmt.Errorf("token endpoint: %w", shopimg.ErrUnavailable) },
			want: shopimg.ErrUnavailable, notWant: shopimg.ErrUnauthorized},
		{name: "cancelled", err: func(string) error { return context.Canceled }, want: context.Canceled, notWant: shopimg.ErrUnauthorized},
		{name: "repeats the previous token", firstOK: true, wantHits: 1,
			err:  func(prev string) error { return fmt.Errorf("refreshing %s: %w", prev, errPlain) },
			want: shopimg.ErrUnauthorized},
		{name: "empty token", err: nil, want: shopimg.ErrUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			secrets := newSecretSet(secret)
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusServiceUnavailable)
			}, func(c *rest.Config) {
				var n atomic.Int64
				c.Credentials = append(c.Credentials, rest.Credential{Header: "Authorization", Source: func(context.Context) (string, error) {
					if n.Add(1) == 1 && tc.firstOK {
						secrets.add("first-token-abcdef")
						return "first-token-abcdef", nil
					}
					if tc.err == nil {
						return " ", nil
					}
					return "", tc.err("first-token-abcdef")
				}})
			})
			_, err := hs.client.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
			if !errors.Is(err, tc.want) || (tc.notWant != nil && errors.Is(err, tc.notWant)) {
				t.Errorf("err = %v, want it to match %v and not %v", err, tc.want, tc.notWant)
			}
			if !errors.Is(err, errPlain) && tc.name == "plain" {
				t.Errorf("err = %v does not wrap the Source's error", err)
			}
			if hs.hits.Load() != tc.wantHits {
				t.Errorf("%d requests sent, want %d", hs.hits.Load(), tc.wantHits)
			}
			assertNoSecret(t, secrets.all(), err, hs.logs.String(), hs.client)
		})
	}
}

// TestSecretInThePathIsRedacted: a credential value that is also part of
// the request path (a store key in the URL) is removed from the error's
// path and from every log line.
func TestSecretInThePathIsRedacted(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]http.HandlerFunc{
		"error status": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
		"no answer":    hangUp,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, h, func(c *rest.Config) { c.Retry.MaxRetries = 1 })
			_, err := hs.client.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: rest.Path("stores/%s/items", secret)}, nil)
			if err == nil {
				t.Fatal("no error")
			}
			assertNoSecret(t, []string{secret}, err, hs.logs.String(), hs.client)
			if !strings.Contains(hs.logs.String(), "path=/api/v1/stores/REDACTED/items") {
				t.Errorf("logs lack the redacted path:\n%s", hs.logs.String())
			}
		})
	}
}

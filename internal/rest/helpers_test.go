package rest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// secret is the credential every test client sends; it must never show up in
// an error string or a log line.
const secret = "s3cr3t-token-9f8e7d"

var epoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// newClock returns a fake clock reading epoch.
func newClock() *shopimgtest.Clock { return shopimgtest.NewClock(epoch) }

type harness struct {
	t      *testing.T
	srv    *httptest.Server
	client *rest.Client
	clock  *shopimgtest.Clock
	logs   *syncBuffer
	hits   atomic.Int64
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newHarness starts a server running h (counting hits) and a client on it
// with a fake clock, a debug logger and the secret credential. mods adjust
// the client's Config.
func newHarness(t *testing.T, h http.HandlerFunc, mods ...func(*rest.Config)) *harness {
	t.Helper()
	hs := &harness{t: t, clock: shopimgtest.NewClock(epoch), logs: &syncBuffer{}}
	hs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hs.hits.Add(1)
		if r.Header.Get("X-Auth-Token") != secret {
			http.Error(w, "no auth", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}))
	t.Cleanup(hs.srv.Close)
	cfg := rest.Config{
		Settings:    rest.DefaultSettings(hs.srv.URL + "/api/v1"),
		Platform:    "testvendor",
		Credentials: []rest.Credential{{Header: "X-Auth-Token", Value: secret}},
	}
	cfg.Clock = hs.clock
	cfg.Logger = slog.New(slog.NewTextHandler(hs.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Retry = shopimg.RetryPolicy{MaxRetries: 3, MinWait: time.Second, MaxWait: 8 * time.Second, MaxRetryAfter: time.Minute}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := rest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs.client = c
	t.Cleanup(func() {
		if strings.Contains(hs.logs.String(), secret) {
			t.Errorf("log output contains the secret:\n%s", hs.logs.String())
		}
	})
	return hs
}

// do sends r and checks that an error, if any, carries no secret.
func (hs *harness) do(ctx context.Context, r *rest.Request, out any) (*shopimg.Response, error) {
	hs.t.Helper()
	resp, err := hs.client.Do(ctx, r, out)
	if err != nil {
		checkNoSecret(hs.t, err)
	}
	return resp, err
}

func checkNoSecret(t *testing.T, err error) {
	t.Helper()
	if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v", err), secret) {
		t.Errorf("error contains the secret: %v", err)
	}
	var apiErr *shopimg.APIError
	if errors.As(err, &apiErr) && bytes.Contains(apiErr.Body, []byte(secret)) {
		t.Errorf("APIError.Body contains the secret")
	}
}

// failTimes answers the first n requests with status (and headers), then ok.
func failTimes(n int64, status int, header map[string]string, ok http.HandlerFunc) http.HandlerFunc {
	var count atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= n {
			for k, v := range header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":"try later"}`))
			return
		}
		ok(w, r)
	}
}

func okJSON(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

// hangUp closes the connection after reading the request, without answering.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

type item struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// resetConn resets the connection (TCP RST) after reading the request, so
// the client sees "connection reset by peer".
func resetConn(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // Close sends RST instead of FIN
	}
	conn.Close()
}

// failFirstDial returns an HTTP client whose first connection attempt fails
// as a refused dial does, before anything is sent.
func failFirstDial() *http.Client {
	var n atomic.Int64
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if n.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return d.DialContext(ctx, network, addr)
	}}}
}

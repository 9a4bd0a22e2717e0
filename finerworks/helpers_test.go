package finerworks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
	"github.com/shopimg/shopimg/shopimgtest"
)

var (
	ctx   = context.Background()
	epoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
)

// fixture is a fake server on a fake clock and a client of it.
type fixture struct {
	srv    *finerworkstest.Server
	client *finerworks.Client
	clock  *shopimgtest.Clock
}

func newFixture(t testing.TB, opts ...finerworkstest.Option) *fixture {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := finerworkstest.NewServer(append([]finerworkstest.Option{finerworkstest.WithClock(clock)}, opts...)...)
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(finerworks.WithRetry(shopimg.RetryPolicy{MaxRetries: 2}))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, client: c, clock: clock}
}

// readFixture reads a file of internal/testdata/finerworks.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "finerworks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Sentinel keys: neither may ever show up in an error or a log line.
var secretCreds = finerworks.Credentials{WebAPIKey: "wk-Sentinel-Web-Key-7c2e91", AppKey: "ak-Sentinel-App-Key-4b1d08"}

// harness is a client with the sentinel keys on an httptest server running
// h, with a fake clock and a debug logger. Calls on it are made one at a
// time (the client logs from the calling goroutine), so logs needs no lock.
type harness struct {
	client *finerworks.Client
	logs   *bytes.Buffer
	srv    *httptest.Server
}

func newHarness(t *testing.T, h http.HandlerFunc, opts ...finerworks.Option) *harness {
	t.Helper()
	hs := &harness{logs: &bytes.Buffer{}, srv: httptest.NewServer(h)}
	t.Cleanup(hs.srv.Close)
	base := []finerworks.Option{
		finerworks.WithBaseURL(hs.srv.URL),
		finerworks.WithHTTPClient(hs.srv.Client()),
		finerworks.WithClock(shopimgtest.NewClock(epoch)),
		finerworks.WithLogger(slog.New(slog.NewTextHandler(hs.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		finerworks.WithRetry(shopimg.RetryPolicy{MaxRetries: 2, MinWait: time.Second, MaxWait: 4 * time.Second}),
		finerworks.WithLibrary(finerworks.Library{SessionID: "1234567890"}),
	}
	c, err := finerworks.NewClient(secretCreds, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	hs.client = c
	return hs
}

// respond serves body with status and a JSON content type.
func respond(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

const okStatus = `{"status":{"success":true,"status_code":200,"message":"","debug":null}}`

// sameJSON fails t unless a and b hold the same JSON value.
func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v: %s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(w, g); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

// guids returns n GUIDs of the form the API uses.
func guids(n int) []finerworks.ImageGUID {
	out := make([]finerworks.ImageGUID, n)
	for i := range out {
		out[i] = finerworks.ImageGUID(fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1))
	}
	return out
}

package threedcart

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
)

// Sentinel credentials: none of them may ever show up in an error or a log
// line.
var secretCreds = Credentials{
	SecureURL:  "https://sentinel-store-4b1d.3dcartstores.com",
	PrivateKey: "sentinel-private-key-7c2e",
	Token:      "sentinel-token-91fa",
}

var epoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// fixture reads a file of internal/testdata/threedcart.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "threedcart", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
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

// harness is a client on an httptest server running h, with a fake clock, a
// debug logger and the sentinel credentials.
type harness struct {
	client *Client
	clock  *shopimgtest.Clock
	logs   *syncBuffer
	srv    *httptest.Server
}

func newHarness(t *testing.T, h http.HandlerFunc, opts ...Option) *harness {
	t.Helper()
	hs := &harness{clock: shopimgtest.NewClock(epoch), logs: &syncBuffer{}}
	hs.srv = httptest.NewServer(h)
	t.Cleanup(hs.srv.Close)
	base := []Option{
		WithBaseURL(hs.srv.URL),
		WithHTTPClient(hs.srv.Client()),
		WithClock(hs.clock),
		WithLogger(slog.New(slog.NewTextHandler(hs.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithRetry(shopimg.RetryPolicy{MaxRetries: 2, MinWait: time.Second, MaxWait: 4 * time.Second}),
	}
	c, err := NewClient(secretCreds, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	hs.client = c
	return hs
}

// respond serves body with status and a JSON content type (none for an
// empty body).
func respond(w http.ResponseWriter, status int, body []byte) {
	if len(body) > 0 {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

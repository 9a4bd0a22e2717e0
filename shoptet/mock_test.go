package shoptet_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shoptet"
	"golang.org/x/oauth2"
)

const (
	mockBase  = "https://api.myshoptet.com"
	mockToken = "mock-private-token-abc"
	mockGUID  = shoptet.ProductGUID("95b84d4b-7481-11e8-8216-002590dad85e")
)

// fixture reads internal/testdata/shoptet/name.
func loadFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "shoptet", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mocked is a client whose HTTP client is intercepted by httpmock.
type mocked struct {
	client *shoptet.Client
	mock   *httpmock.MockTransport
	clock  *shopimgtest.Clock
	reqs   []*http.Request
	bodies []string
}

// newMocked returns a client on an httpmock transport of its own (never
// the global one, which parallel tests would share: ActivateNonDefault
// installs that one) and a fake clock, with retries that never really
// sleep.
func newMocked(t *testing.T, opts ...shoptet.Option) *mocked {
	t.Helper()
	mt := httpmock.NewMockTransport()
	hc := &http.Client{Transport: mt}
	m := &mocked{mock: mt, clock: shopimgtest.NewClock(epoch)}
	base := []shoptet.Option{shoptet.WithBaseURL(mockBase), shoptet.WithHTTPClient(hc), shoptet.WithClock(m.clock), shoptet.WithRetry(shopimg.RetryPolicy{MaxRetries: 2})}
	c, err := shoptet.NewClient(shoptet.Credentials{PrivateAPIToken: mockToken}, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	m.client = c
	return m
}

// on registers a responder for method and path that records each request
// and answers the given statuses and bodies in turn (the last repeats).
func (m *mocked) on(method, path string, answers ...answer) {
	n := 0
	m.mock.RegisterResponder(method, mockBase+path, func(r *http.Request) (*http.Response, error) {
		var body string
		if r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			body = string(b)
		}
		m.reqs = append(m.reqs, r)
		m.bodies = append(m.bodies, body)
		a := answers[min(n, len(answers)-1)]
		n++
		resp := httpmock.NewBytesResponse(a.status, a.body)
		resp.Header.Set("Content-Type", "application/json; charset=utf-8")
		resp.Header.Set("X-Request-ID", "hdr-request-id")
		for k, v := range a.header {
			resp.Header.Set(k, v)
		}
		return resp, nil
	})
}

// answer is one canned response.
type answer struct {
	status int
	body   []byte
	header map[string]string
}

func ok(body []byte) answer { return answer{status: 200, body: body} }

// envelope builds a Shoptet envelope.
func envelope(data any, errs ...shoptet.Error) []byte {
	if errs == nil {
		b, _ := json.Marshal(map[string]any{"data": data, "errors": nil, "metadata": map[string]string{"requestId": "req-1"}})
		return b
	}
	b, _ := json.Marshal(map[string]any{"data": data, "errors": errs, "metadata": map[string]string{"requestId": "req-1"}})
	return b
}

// tm parses a Shoptet timestamp for expected values.
func tm(s string) shoptet.Time {
	v, err := time.Parse("2006-01-02T15:04:05-0700", s)
	if err != nil {
		panic(err)
	}
	return shoptet.Time{Time: v}
}

var regexpAll = regexp.MustCompile(`.*`)

func respond(status int, body []byte) *http.Response {
	r := httpmock.NewBytesResponse(status, body)
	r.Header.Set("Content-Type", "application/json")
	return r
}

// staticSource is an oauth2.TokenSource of one fixed token.
type staticSource string

func (s staticSource) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s)}, nil
}

package shoptet_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shoptet"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// TestReviewPrintedCredentials: Credentials printed with a verb that is
// not a string verb (%d, %t, ...) show no token: fmt skips String for them
// and prints the fields.
func TestReviewPrintedCredentials(t *testing.T) {
	t.Parallel()
	creds := shoptet.Credentials{PrivateAPIToken: "review-private-api-token-0001"}
	c, err := shoptet.NewClient(creds)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%d", "%t", "%x", "%q"} {
		for name, x := range map[string]any{"creds": creds, "&creds": &creds, "client": c} {
			out := fmt.Sprintf(f, x)
			if strings.Contains(out, creds.PrivateAPIToken) {
				t.Errorf("%s of %s shows the token: %s", f, name, out)
			}
		}
	}
}

// cancelOnLog is a slog handler that calls cancel at the n-th record: a
// hook into the moment a request's answer has been read.
type cancelOnLog struct {
	mu     *sync.Mutex
	n      *int
	at     int
	cancel func()
}

func (h cancelOnLog) Enabled(context.Context, slog.Level) bool { return true }
func (h cancelOnLog) Handle(context.Context, slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.n++
	if *h.n == h.at {
		h.cancel()
	}
	return nil
}
func (h cancelOnLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h cancelOnLog) WithGroup(string) slog.Handler      { return h }

// TestReviewListWaitsForCutsPastItsContext: List reads the e-shop's image
// cuts under a mutex held across the HTTP call. A second List whose
// context ends while the first one's cuts request hangs stays blocked on
// the mutex: the README promises waits end at once with the context.
func TestReviewListWaitsForCutsPastItsContext(t *testing.T) {
	t.Parallel()
	const guid = "00000000-0000-0000-0000-000000000001"
	eshopArrived := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/eshop" {
			first := false
			once.Do(func() { first = true })
			if first {
				close(eshopArrived)
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}
			io.WriteString(w, `{"data":{"imageCuts":[]},"errors":null}`)
			return
		}
		io.WriteString(w, `{"data":{"images":[]},"errors":null}`)
	}))
	defer srv.Close()
	defer close(release)
	bctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	n := 0
	// Records: 1 the first List's gallery; 2 the second List's gallery
	// (the first one's cuts request hangs meanwhile).
	logger := slog.New(cancelOnLog{mu: &mu, n: &n, at: 2, cancel: cancel})
	c, err := shoptet.NewClient(shoptet.Credentials{PrivateAPIToken: "review-private-api-token-0002"},
		shoptet.WithBaseURL(srv.URL), shoptet.WithHTTPClient(srv.Client()), shoptet.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	p := c.ProductImages()
	go func() { _, _ = p.List(context.Background(), guid) }()
	<-eshopArrived
	done := make(chan error, 1)
	go func() {
		_, err := p.List(bctx, guid)
		done <- err
	}()
	select {
	case err := <-done:
		t.Logf("List after cancel: %v", err)
	case <-time.After(2 * time.Second):
		t.Fatal("List did not end with its context: it waits for another call's cuts request")
	}
}

// TestReviewLateJobAddedTwice: an add whose answer is lost queues a job
// that completes later. A re-run before the job completes finds no new
// image, discards the add's intent as "did not happen" and adds the image
// again; when the first job completes, the product holds it twice. The
// README promises imagesync never adds an image twice after an unknown
// outcome.
func TestReviewLateJobAddedTwice(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := shoptettest.NewServer(shoptettest.WithClock(clock), shoptettest.WithJobTiming(shoptettest.JobTiming{Polls: 1, After: 10 * time.Minute}))
	defer srv.Close()
	guid := srv.AddProduct()
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	target := imagesync.Target{Platform: "shoptet", Store: "fake", Images: c.ProductImages()}
	desired := []imagesync.Entry{{Key: "a", SourceURL: "https://pim.example.com/a.jpg", Alt: "a"}}
	s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}
	srv.Faults().Add(shoptettest.Fault{Method: http.MethodPost, Path: shoptettest.ImagesPath(guid, "shop"), AfterApply: true, Drop: true})
	first, _ := s.Sync(context.Background(), target, guid, desired)
	if !errors.Is(first.Err, shopimg.ErrOutcomeUnknown) {
		t.Fatalf("first sync: %v, want an unknown outcome", first.Err)
	}
	clock.Advance(time.Minute) // a re-run, before the job completes
	if _, err := s.Sync(context.Background(), target, guid, desired); err != nil {
		t.Logf("second sync: %v", err)
	}
	clock.Advance(time.Hour) // every job has completed
	imgs, err := c.ProductImages().List(context.Background(), guid)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Created() != 1 || len(imgs) != 1 {
		t.Errorf("%d images created, %d listed; want the one desired image once", srv.Created(), len(imgs))
	}
}

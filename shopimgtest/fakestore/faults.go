package fakestore

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/shopimg/shopimg"
)

// StatusClientClosed is recorded when a request's context ended during a
// fault's latency (nginx's "client closed request"); nothing more is sent.
const StatusClientClosed = 499

// Fault is a scripted failure. Each request takes the first queued fault
// that matches it (after the fault has let Skip matching requests through);
// a fault is used up after Times requests.
//
// What happens to a matching request, in order: Before runs; it waits
// Latency; then, with AfterApply, the handler runs and its response is
// discarded; then the connection is dropped (Drop), or Status is sent with
// Header and Body. A fault with only Latency (or only Before) delays the
// request (or changes the state first) and lets the handler answer.
type Fault struct {
	// Method matches the request method case-insensitively, or any of a
	// comma-separated list ("POST,PUT,DELETE"); empty matches any method.
	Method string
	// Path matches the escaped request path exactly or, when it ends in "*",
	// as a prefix ("/v3/catalog/products/*"); empty matches any path.
	Path string
	// Skip is how many matching requests pass untouched before the fault
	// applies.
	Skip int
	// Times is how many matching requests the fault applies to; zero means
	// 1.
	Times int

	// Before, when set, is called as the fault is taken, before anything
	// else happens to the request: a test uses it to change the fake's
	// state between two requests of a client (deleting an image another
	// client still lists, say). It runs on the request's goroutine, with
	// no lock of the engine held.
	Before func()

	// Status, when not zero, is sent instead of the handler's response.
	Status int
	// Header is added to the response sent with Status (Retry-After, ...).
	Header http.Header
	// Body is the body sent with Status.
	Body string

	// Latency delays the request by this long, waited through the server's
	// clock with the request's context (a fake clock makes it instant). If
	// the context ends first, the handler is not called and nothing is
	// sent; the recorder shows StatusClientClosed.
	Latency time.Duration

	// Drop closes the connection without a response, after reading the
	// request body, so the client sees an error such as EOF. Note that
	// net/http's Transport silently resends a GET or HEAD (or any request
	// with an Idempotency-Key header) whose reused connection was dropped,
	// so drop such requests more than once (Times) when the client must see
	// the error. Where the ResponseWriter cannot be hijacked (HTTP/2, an
	// httptest.ResponseRecorder), ServeHTTP panics with http.ErrAbortHandler
	// instead.
	Drop bool

	// AfterApply runs the handler first, so its state changes happen, then
	// discards its response and drops the connection (Drop) or sends Status
	// (500 when zero): the write happened but the client saw a failure.
	AfterApply bool
}

// Faults is the queue of scripted failures of a Handler (see
// Handler.Faults). It is safe for concurrent use.
type Faults struct {
	clock shopimg.Clock

	mu    sync.Mutex
	queue []*queuedFault
	fired int
}

type queuedFault struct {
	Fault
	skip, left int
}

// Add queues faults after those already queued. It panics if a fault has a
// negative Skip, Times or Latency, or a Status outside 100-999.
func (f *Faults) Add(faults ...Fault) {
	q := make([]*queuedFault, 0, len(faults))
	for _, ft := range faults {
		if ft.Skip < 0 || ft.Times < 0 || ft.Latency < 0 || (ft.Status != 0 && (ft.Status < 100 || ft.Status > 999)) {
			panic(fmt.Sprintf("fakestore: invalid fault %+v", ft))
		}
		if ft.Times == 0 {
			ft.Times = 1
		}
		ft.Header = ft.Header.Clone()
		q = append(q, &queuedFault{Fault: ft, skip: ft.Skip, left: ft.Times})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, q...)
}

// Pending returns how many more requests the queued faults will apply to.
func (f *Faults) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, q := range f.queue {
		n += q.left
	}
	return n
}

// Fired returns how many requests a fault has been applied to.
func (f *Faults) Fired() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// Clear removes every queued fault. Fired is kept.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = nil
}

// take returns the first queued fault matching r, using it once.
func (f *Faults) take(r *http.Request) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := r.URL.EscapedPath()
	for i, q := range f.queue {
		if !matches(q.Method, q.Path, r.Method, p) {
			continue
		}
		if q.skip > 0 {
			q.skip--
			continue
		}
		q.left--
		if q.left == 0 {
			f.queue = append(f.queue[:i:i], f.queue[i+1:]...)
		}
		f.fired++
		return q.Fault, true
	}
	return Fault{}, false
}

func (f *Faults) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ft, ok := f.take(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if ft.Before != nil {
			ft.Before()
		}
		if ft.Latency > 0 {
			if err := f.clock.Sleep(r.Context(), ft.Latency); err != nil {
				w.WriteHeader(StatusClientClosed)
				return
			}
		}
		switch {
		case ft.AfterApply:
			next.ServeHTTP(&discardWriter{}, r)
			if ft.Status == 0 && !ft.Drop {
				ft.Status = http.StatusInternalServerError
			}
		case ft.Status == 0 && !ft.Drop:
			next.ServeHTTP(w, r) // latency only
			return
		}
		if ft.Drop {
			drop(w, r)
			return
		}
		for k, vs := range ft.Header {
			w.Header()[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
		w.WriteHeader(ft.Status)
		_, _ = io.WriteString(w, ft.Body)
	})
}

// drop reads the request body and closes the connection without answering.
func drop(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// discardWriter is the ResponseWriter of a handler whose response an
// AfterApply fault replaces.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}

func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

func (d *discardWriter) WriteHeader(int) {}

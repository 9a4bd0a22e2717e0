// Package faulttest is the fault matrix every vendor package runs against
// its adapter and fake server: each operation (list, add, update, reorder,
// delete) meets each fault (429 with Retry-After in seconds and as a date;
// 500; 502 with an HTML body; 503; the connection dropped before the
// answer; the write carried out and then the connection dropped; an answer
// slower than the caller's deadline; truncated JSON; a 2xx answer of the
// wrong content type; the vendor's own error envelope) on the request that
// carries the operation, and the test checks the outcome (retried and
// succeeded, or the right category), then lists the product with the
// faults gone: no image added twice, none lost, nothing changed that the
// outcome says did not change.
package faulttest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// Op is an operation of the matrix.
type Op string

// The operations.
const (
	List    Op = "list"
	Add     Op = "add"
	Update  Op = "update"
	Reorder Op = "reorder"
	Delete  Op = "delete"
)

// Target is the request that carries an operation on the wire, as
// fakestore.Fault matches it (the other requests of the operation, such as
// the listing before a write, are left alone).
type Target struct {
	Method string
	Path   string // exact, or a prefix ending in "*"; empty matches any
}

// Env is one fresh fake server with the adapter on it.
type Env struct {
	// Images is the adapter, whose client sleeps on the Clock given to
	// Vendor.New and retries at least 3 times.
	Images shopimg.ProductImages
	// Faults is the fake server's fault queue.
	Faults *fakestore.Faults
	// ProductID is an existing product without images.
	ProductID string
	// Recorder is the fake server's request recorder.
	Recorder *fakestore.Recorder
}

// epoch starts every test clock.
var epoch = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// Vendor describes the platform under test.
type Vendor struct {
	// New starts a fake server (closed by t.Cleanup) and the adapter on
	// it. The client's waits run on clock; the server's clock must be the
	// system clock when realServerClock is set (so a fault's latency
	// really holds the answer back), clock otherwise.
	New func(t *testing.T, clock *shopimgtest.Clock, realServerClock bool) Env
	// Targets names the request of each operation the platform can do.
	Targets map[Op]Target
	// ErrorStatus and ErrorBody are the vendor's own error answer for a
	// refused request (a validation error), and ErrorKind its category.
	ErrorStatus int
	ErrorBody   string
	ErrorKind   error
}

// fault is one column of the matrix.
type fault struct {
	name string
	make func(clock *shopimgtest.Clock) fakestore.Fault
	// how an operation of each effect ends.
	read, write, create outcome
	slow                bool
}

// outcome is what an operation's call returns and what it leaves behind.
type outcome struct {
	ok      bool    // the call succeeds (after retries)
	kinds   []error // else the error matches every one of these
	applied int     // 1: the operation's change is in the store; 0: it is not; -1: either
}

var (
	done           = outcome{ok: true, applied: 1}
	unknownNotDone = outcome{kinds: []error{shopimg.ErrOutcomeUnknown}, applied: 0}
	unknownDone    = outcome{kinds: []error{shopimg.ErrOutcomeUnknown}, applied: 1}
	unknownEither  = outcome{kinds: []error{shopimg.ErrOutcomeUnknown}, applied: -1}
)

func faults(v Vendor) []fault {
	status := func(code int, h http.Header, body string) func(*shopimgtest.Clock) fakestore.Fault {
		return func(*shopimgtest.Clock) fakestore.Fault {
			return fakestore.Fault{Status: code, Header: h, Body: body}
		}
	}
	html := http.Header{"Content-Type": {"text/html"}}
	refused := outcome{kinds: []error{v.ErrorKind}, applied: 0}
	return []fault{
		{name: "429-seconds", make: status(429, http.Header{"Retry-After": {"2"}}, ""), read: done, write: done, create: done},
		{name: "429-date", make: func(c *shopimgtest.Clock) fakestore.Fault {
			return fakestore.Fault{Status: 429, Header: http.Header{"Retry-After": {c.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)}}}
		}, read: done, write: done, create: done},
		{name: "500", make: status(500, nil, `{"status":500}`), read: done, write: done, create: unknownNotDone},
		{name: "502-html", make: status(502, html, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"), read: done, write: done, create: unknownNotDone},
		{name: "503", make: status(503, nil, ""), read: done, write: done, create: unknownNotDone},
		{name: "drop-before", make: func(*shopimgtest.Clock) fakestore.Fault { return fakestore.Fault{Drop: true} }, read: done, write: done, create: unknownNotDone},
		{name: "drop-after-write", make: func(*shopimgtest.Clock) fakestore.Fault { return fakestore.Fault{Drop: true, AfterApply: true} }, read: done, write: done, create: unknownDone},
		{name: "slower-than-deadline", make: func(*shopimgtest.Clock) fakestore.Fault { return fakestore.Fault{Latency: time.Hour} }, slow: true,
			read:   outcome{kinds: []error{context.DeadlineExceeded}, applied: 0},
			write:  outcome{kinds: []error{context.DeadlineExceeded}, applied: 0},
			create: outcome{kinds: []error{context.DeadlineExceeded, shopimg.ErrOutcomeUnknown}, applied: 0}},
		{name: "truncated-json", make: status(200, http.Header{"Content-Type": {"application/json"}}, `{"data":[{"id":`), read: done, write: unknownEither, create: unknownNotDone},
		{name: "wrong-content-type", make: status(200, html, "<html><body>Under maintenance</body></html>"), read: done, write: unknownEither, create: unknownNotDone},
		{name: "vendor-error", make: status(v.ErrorStatus, http.Header{"Content-Type": {"application/json"}}, v.ErrorBody), read: refused, write: refused, create: refused},
	}
}

// Run runs the matrix: one parallel subtest per operation and fault.
func Run(t *testing.T, v Vendor) {
	t.Helper()
	for _, op := range []Op{List, Add, Update, Reorder, Delete} {
		target, ok := v.Targets[op]
		if !ok {
			continue
		}
		for _, f := range faults(v) {
			t.Run(string(op)+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				runCase(t, v, op, target, f)
			})
		}
	}
}

func runCase(t *testing.T, v Vendor, op Op, target Target, f fault) {
	clock := shopimgtest.NewClock(epoch)
	env := v.New(t, clock, f.slow)
	ctx := context.Background()
	p, pid := env.Images, env.ProductID
	var seeded []string
	for i := range 3 {
		img, err := p.Add(ctx, pid, shopimg.NewImage{SourceURL: fmt.Sprintf("https://img.example.com/seed-%d.jpg", i), Alt: fmt.Sprintf("seed %d", i)})
		if err != nil {
			t.Fatalf("seeding: %v", err)
		}
		seeded = append(seeded, img.ID)
	}
	before := list(t, p, pid)
	ft := f.make(clock)
	ft.Method, ft.Path = target.Method, target.Path
	ft.Times = 1
	if ft.Drop && !ft.AfterApply && (target.Method == http.MethodGet || target.Method == http.MethodHead) {
		// net/http resends an idempotent request once on its own when a
		// reused connection drops: drop it twice so the client sees it.
		ft.Times = 2
	}
	env.Faults.Add(ft)

	callCtx := ctx
	if f.slow {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
	}
	want := f.read
	var err error
	switch op {
	case List:
		_, err = p.List(callCtx, pid)
	case Add:
		want = f.create
		_, err = p.Add(callCtx, pid, shopimg.NewImage{SourceURL: "https://img.example.com/new.jpg", Alt: "new"})
	case Update:
		want = f.write
		_, err = p.Update(callCtx, pid, seeded[1], shopimg.ImageUpdate{Alt: new("changed")})
	case Reorder:
		want = f.write
		err = p.Reorder(callCtx, pid, []string{seeded[2], seeded[0], seeded[1]})
	case Delete:
		want = f.write
		err = p.Delete(callCtx, pid, seeded[1])
	}
	env.Faults.Clear()
	switch {
	case want.ok && err != nil:
		t.Fatalf("%s under %s: err = %v, want success after retries", op, f.name, err)
	case !want.ok && err == nil:
		t.Fatalf("%s under %s: no error, want one matching %v", op, f.name, want.kinds)
	}
	for _, k := range want.kinds {
		if !errors.Is(err, k) {
			t.Errorf("%s under %s: err = %v, want it to match %v", op, f.name, err, k)
		}
	}
	after := list(t, p, pid)
	if op == Add && want.applied == 1 && p.Capabilities().AsyncAdd {
		// The create was queued as a job, which nobody followed after the
		// answer was lost: it may not have run yet.
		want.applied = -1
	}
	checkState(t, op, f.name, before, after, seeded, want.applied)
}

func list(t *testing.T, p shopimg.ProductImages, pid string) []shopimg.Image {
	t.Helper()
	imgs, err := p.List(context.Background(), pid)
	if err != nil {
		t.Fatalf("listing after the fault: %v", err)
	}
	return imgs
}

// checkState checks what the operation left: applied (1), not (0), or
// either (-1); and in every case that no image was added twice or lost.
func checkState(t *testing.T, op Op, fault string, before, after []shopimg.Image, seeded []string, applied int) {
	t.Helper()
	ids := func(imgs []shopimg.Image) []string {
		out := make([]string, len(imgs))
		for i, img := range imgs {
			out[i] = img.ID
		}
		return out
	}
	alt := func(imgs []shopimg.Image, id string) string {
		for _, img := range imgs {
			if img.ID == id {
				return img.Alt
			}
		}
		return ""
	}
	news := 0
	for _, img := range after {
		if !slices.Contains(ids(before), img.ID) {
			news++
			if img.Alt != "new" || op != Add {
				t.Errorf("%s under %s: an unexpected image %+v appeared", op, fault, img)
			}
		}
	}
	if news > 1 {
		t.Errorf("%s under %s: the image was added %d times", op, fault, news)
	}
	for _, id := range ids(before) {
		if !slices.Contains(ids(after), id) && !(op == Delete && id == seeded[1]) {
			t.Errorf("%s under %s: image %s was lost", op, fault, id)
		}
	}
	var isApplied bool
	switch op {
	case List:
		isApplied = slices.Equal(ids(before), ids(after))
		if !isApplied {
			t.Errorf("list under %s changed the gallery: %v -> %v", fault, ids(before), ids(after))
		}
		return
	case Add:
		isApplied = news == 1
	case Update:
		isApplied = alt(after, seeded[1]) == "changed"
	case Reorder:
		isApplied = slices.Equal(ids(after), []string{seeded[2], seeded[0], seeded[1]})
	case Delete:
		isApplied = !slices.Contains(ids(after), seeded[1])
	}
	if applied >= 0 && isApplied != (applied == 1) {
		t.Errorf("%s under %s: applied = %v, want %v (before %v, after %v)", op, fault, isApplied, applied == 1, ids(before), ids(after))
	}
}

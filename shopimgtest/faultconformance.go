package shopimgtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
)

// FaultTarget is a shopimg.ProductImages whose platform takes network
// faults: the in-memory Fake, or a vendor client on its fake server.
type FaultTarget struct {
	// Images is the adapter under test, with the default retry policy.
	Images shopimg.ProductImages
	// ProductID is a product with no images.
	ProductID string
	// Inject queues a network fault on the platform (Fake.Inject, or the
	// vendor fake's Inject).
	Inject func(Fault)
	// Clock is the clock the target waits on (retry backoff, Retry-After,
	// latency).
	Clock *Clock
}

// FaultOutcome is what a fault case observed, the same on every target:
// the error's categories (shopimg sentinels it matches), the IDs listed
// after it, relative to those before ("kept", "added", "changed"), and
// whether the target waited at least the time the fault asked for.
type FaultOutcome struct {
	// Case names the fault case.
	Case string
	// Error lists the categories of the call's error ("not found",
	// "outcome unknown", ...); nil when it succeeded.
	Error []string
	// Images says what the listing after the call holds compared with the
	// one before: "kept", "added" (one image more) or "changed".
	Images string
	// Waited reports whether the target's clock moved on by at least the
	// wait the fault asked for.
	Waited bool
}

// RunFaultConformance runs the table of network faults against the targets
// newTarget makes, and returns what each case observed. Every target must
// give the same outcome for each fault, whichever platform it is and
// whether it is a vendor client on its fake server or the in-memory Fake:
// a downstream test written against one behaves the same against the
// other. The cases are: a 5xx and a dropped connection on a read (retried),
// a 429 with Retry-After (waited for), a Retry-After longer than the
// client waits (ErrRateLimited at once), a 5xx on a create (outcome
// unknown, nothing added), a create that happens before the connection
// drops (outcome unknown, the image added), an idempotent write that
// happens before a 5xx (retried, done), a 404 on a write (not found), and
// latency (waited, done). Each subtest runs in parallel with a target of
// its own.
func RunFaultConformance(t *testing.T, newTarget func(t *testing.T) FaultTarget) []FaultOutcome {
	t.Helper()
	out := make([]FaultOutcome, len(faultCases))
	t.Run("faults", func(t *testing.T) {
		for i, tc := range faultCases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				ft := newTarget(t)
				caps := ft.Images.Capabilities()
				if tc.needs != nil && !tc.needs(caps) {
					out[i] = FaultOutcome{Case: tc.name, Images: "skipped"}
					t.Skip("the platform lacks what the case needs")
				}
				ctx := context.Background()
				img := func(n string) shopimg.NewImage {
					if caps.AddFromURL {
						return shopimg.NewImage{SourceURL: "https://images.example.com/" + n + ".jpg"}
					}
					return shopimg.NewImage{File: shopimg.FileFromBytes(n+".png", pngPixel)}
				}
				var before []string
				for _, n := range []string{"a", "b"} {
					got, err := ft.Images.Add(ctx, ft.ProductID, img(n))
					if err != nil {
						t.Fatal(err)
					}
					before = append(before, got.ID)
				}
				slept := ft.Clock.Slept()
				ft.Inject(tc.fault)
				err := tc.run(ctx, ft, before, img)
				o := FaultOutcome{Case: tc.name, Error: categories(err), Waited: ft.Clock.Slept()-slept >= tc.wait}
				// A pause the client would not wait for holds the store's
				// later calls too, until it ends: let it end.
				ft.Clock.Advance(tc.fault.RetryAfter)
				list, lerr := ft.Images.List(ctx, ft.ProductID)
				if lerr != nil {
					t.Fatalf("List after the fault: %v", lerr)
				}
				now := idsOf(list)
				switch {
				case slices.Equal(now, before):
					o.Images = "kept"
				case len(now) == len(before)+1 && !slices.Contains(before, now[len(now)-1]):
					o.Images = "added"
				default:
					o.Images = "changed"
				}
				out[i] = o
				want := tc.want
				want.Case = tc.name
				if fmt.Sprint(o) != fmt.Sprint(want) {
					t.Errorf("got %+v (error %v), want %+v", o, err, want)
				}
			})
		}
	})
	return out
}

// categories names the shopimg categories err matches.
func categories(err error) []string {
	var out []string
	for _, c := range []struct {
		name string
		err  error
	}{
		{"not found", shopimg.ErrNotFound}, {"unauthorized", shopimg.ErrUnauthorized},
		{"rate limited", shopimg.ErrRateLimited}, {"invalid input", shopimg.ErrInvalidInput},
		{"unsupported", shopimg.ErrUnsupported}, {"conflict", shopimg.ErrConflict},
		{"unavailable", shopimg.ErrUnavailable}, {"outcome unknown", shopimg.ErrOutcomeUnknown},
		{"added", shopimg.ErrAdded},
	} {
		if errors.Is(err, c.err) {
			out = append(out, c.name)
		}
	}
	if err != nil && out == nil {
		out = []string{"other"}
	}
	return out
}

type faultCase struct {
	name  string
	needs func(shopimg.Capabilities) bool
	fault Fault
	wait  time.Duration // the least the target must have waited
	run   func(ctx context.Context, ft FaultTarget, before []string, img func(string) shopimg.NewImage) error
	want  FaultOutcome
}

func list(ctx context.Context, ft FaultTarget, _ []string, _ func(string) shopimg.NewImage) error {
	_, err := ft.Images.List(ctx, ft.ProductID)
	return err
}

func addOne(ctx context.Context, ft FaultTarget, _ []string, img func(string) shopimg.NewImage) error {
	_, err := ft.Images.Add(ctx, ft.ProductID, img("c"))
	return err
}

func setAlt(ctx context.Context, ft FaultTarget, before []string, _ func(string) shopimg.NewImage) error {
	_, err := ft.Images.Update(ctx, ft.ProductID, before[1], shopimg.ImageUpdate{Alt: new("changed")})
	return err
}

func canUpdate(c shopimg.Capabilities) bool { return c.Update }

var faultCases = []faultCase{
	{name: "ReadRetriedAfter5xx", fault: Fault{Call: CallList, Status: 503}, run: list, want: FaultOutcome{Images: "kept", Waited: true}},
	{name: "ReadRetriedAfterDrops", fault: Fault{Call: CallList, Drop: true, Times: 2}, run: list, want: FaultOutcome{Images: "kept", Waited: true}},
	{name: "RetryAfterWaitedFor", fault: Fault{Call: CallList, Status: 429, RetryAfter: 9 * time.Second}, wait: 9 * time.Second, run: list,
		want: FaultOutcome{Images: "kept", Waited: true}},
	{name: "RetryAfterBeyondTheWaitLimit", fault: Fault{Call: CallList, Status: 429, RetryAfter: 3 * time.Hour}, run: list,
		want: FaultOutcome{Error: []string{"rate limited"}, Images: "kept", Waited: true}},
	{name: "CreateAnswered5xx", fault: Fault{Call: CallAdd, Status: 500}, run: addOne,
		want: FaultOutcome{Error: []string{"unavailable", "outcome unknown"}, Images: "kept", Waited: true}},
	{name: "CreateDoneThenDropped", fault: Fault{Call: CallAdd, Apply: true, Drop: true}, run: addOne,
		want: FaultOutcome{Error: []string{"unavailable", "outcome unknown"}, Images: "added", Waited: true}},
	{name: "WriteDoneThen5xx", needs: canUpdate, fault: Fault{Call: CallUpdate, Apply: true, Status: 502}, run: setAlt,
		want: FaultOutcome{Images: "kept", Waited: true}},
	{name: "WriteNotFound", needs: canUpdate, fault: Fault{Call: CallUpdate, Status: 404}, run: setAlt,
		want: FaultOutcome{Error: []string{"not found"}, Images: "kept", Waited: true}},
	{name: "Latency", fault: Fault{Call: CallList, Latency: 4 * time.Second}, wait: 4 * time.Second, run: list,
		want: FaultOutcome{Images: "kept", Waited: true}},
}

// RunFaultConformanceLikeFake runs RunFaultConformance on the targets
// newTarget makes and on the in-memory Fake with the capabilities caps (the
// platform's profile), and fails if any outcome differs: the check that a
// downstream test written against the Fake behaves the same against the
// platform's client, and the other way round.
func RunFaultConformanceLikeFake(t *testing.T, caps shopimg.Capabilities, newTarget func(t *testing.T) FaultTarget) {
	t.Helper()
	var target, fake []FaultOutcome
	t.Run("target", func(t *testing.T) { target = RunFaultConformance(t, newTarget) })
	t.Run("fake", func(t *testing.T) {
		fake = RunFaultConformance(t, func(t *testing.T) FaultTarget {
			clock := NewClock(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
			f := NewFake(WithCapabilities(caps), WithClock(clock))
			f.AddProduct("p")
			return FaultTarget{Images: f, ProductID: "p", Inject: f.Inject, Clock: clock}
		})
	})
	if fmt.Sprint(target) != fmt.Sprint(fake) {
		t.Errorf("the target and the Fake differ:\ntarget %+v\nfake   %+v", target, fake)
	}
}

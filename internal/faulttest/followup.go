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

// RunAddFollowUps checks that an Add whose create the platform answered
// with an ID is never reported as refused: each request the Add sends
// after its create (reading the image back, placing it, waiting for its
// job) fails in turn, with each kind of error (a 429 asking for a long
// pause, 401, 404, 422, a 500 that outlasts the retries), and the Add must
// return the image with an error matching shopimg.ErrAdded and no other
// category (or, where the create's answer carries no ID, an error matching
// shopimg.ErrOutcomeUnknown), and the product must hold it exactly once. The add goes to
// position 1 of three images where the platform takes a position (the
// case with the most follow-ups), else at the end. A platform whose Add
// sends nothing after its create passes trivially.
func RunAddFollowUps(t *testing.T, v Vendor) {
	t.Helper()
	create, ok := v.Targets[Add]
	if !ok {
		t.Fatal("Vendor.Targets has no Add")
	}
	// A dry run finds where the create stands among the Add's requests, and
	// how many follow it.
	clock := shopimgtest.NewClock(epoch)
	env, seeded := seededEnv(t, v, clock)
	start := len(env.Recorder.Requests())
	if _, err := env.Images.Add(context.Background(), env.ProductID, newImageAt(env, seeded)); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	reqs := env.Recorder.Requests()[start:]
	at := slices.IndexFunc(reqs, func(r fakestore.RecordedRequest) bool {
		return fakestore.Matches(create.Method, create.Path, r.Method, r.Path)
	})
	if at < 0 {
		t.Fatalf("dry run: no request matched the create target %+v", create)
	}
	follow := len(reqs) - at - 1
	kinds := map[string]fakestore.Fault{
		"429-long-pause": {Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"86400"}}},
		"401":            {Status: http.StatusUnauthorized},
		"404":            {Status: http.StatusNotFound},
		"422":            {Status: http.StatusUnprocessableEntity},
		"500-persistent": {Status: http.StatusInternalServerError, Times: 50},
	}
	for k := range follow {
		for name, fault := range kinds {
			t.Run(fmt.Sprintf("follow-up-%d/%s", k+1, name), func(t *testing.T) {
				t.Parallel()
				clock := shopimgtest.NewClock(epoch)
				env, seeded := seededEnv(t, v, clock)
				ft := fault
				// The Add's own requests up to its k-th follow-up pass.
				ft.Skip = at + 1 + k
				ft.Header = fault.Header.Clone()
				env.Faults.Add(ft)
				img, err := env.Images.Add(context.Background(), env.ProductID, newImageAt(env, seeded))
				fired := env.Faults.Fired() > 0
				env.Faults.Clear()
				switch {
				case !fired:
					t.Fatalf("the fault did not fire (Add = %v): the Add sent fewer requests than its dry run", err)
				case err == nil:
					t.Fatalf("Add succeeded although follow-up %d failed", k+1)
				case errors.Is(err, shopimg.ErrAdded):
					if img.ID == "" {
						t.Fatalf("Add's error %v matches ErrAdded, but no image came back", err)
					}
					for _, other := range []error{shopimg.ErrRateLimited, shopimg.ErrUnauthorized, shopimg.ErrNotFound, shopimg.ErrInvalidInput, shopimg.ErrUnavailable, shopimg.ErrOutcomeUnknown} {
						if errors.Is(err, other) {
							t.Errorf("Add's error %v also matches %v, which invites adding again", err, other)
						}
					}
				case errors.Is(err, shopimg.ErrOutcomeUnknown):
					// A platform whose create answer carries no ID (a queued
					// job, a library that answers only a status): the image
					// is not known yet, so the outcome is unknown.
				default:
					t.Fatalf("Add = %+v, %v; want the image with an error matching ErrAdded, or ErrOutcomeUnknown where the create's answer has no ID", img, err)
				}
				clock.Advance(25 * time.Hour) // past any pause the fault asked for
				list, lerr := env.Images.List(context.Background(), env.ProductID)
				if lerr != nil {
					t.Fatal(lerr)
				}
				n := 0
				for _, l := range list {
					if !slices.Contains(seeded, l.ID) {
						n++
						if l.ID != img.ID && img.ID != "" {
							t.Errorf("listed a new image %s, Add returned %s", l.ID, img.ID)
						}
					}
				}
				queued := errors.Is(err, shopimg.ErrOutcomeUnknown) && env.Images.Capabilities().AsyncAdd
				if n != 1 && !(queued && n == 0) { // a queued job nobody follows may not have run
					t.Errorf("the product holds the added image %d times", n)
				}
			})
		}
	}
}

// seededEnv starts an env with three images.
func seededEnv(t *testing.T, v Vendor, clock *shopimgtest.Clock) (Env, []string) {
	t.Helper()
	env := v.New(t, clock, false)
	var ids []string
	for i := range 3 {
		img, err := env.Images.Add(context.Background(), env.ProductID, shopimg.NewImage{SourceURL: fmt.Sprintf("https://img.example.com/seed-%d.jpg", i)})
		if err != nil {
			t.Fatalf("seeding: %v", err)
		}
		ids = append(ids, img.ID)
	}
	return env, ids
}

// newImageAt is the image the follow-up runs add: at position 1 where the
// platform takes a position.
func newImageAt(env Env, _ []string) shopimg.NewImage {
	img := shopimg.NewImage{SourceURL: "https://img.example.com/new.jpg", Alt: "new"}
	if env.Images.Capabilities().AddAtPosition {
		img.Position = new(1)
	}
	return img
}

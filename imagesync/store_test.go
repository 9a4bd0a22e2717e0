package imagesync_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/shopimg/shopimg"

	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/imagesync/storetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) imagesync.Store { return imagesync.NewMemoryStore() }, nil)
}

// unreadable is a Store whose Load fails for the products in broken, as a
// damaged state file does.
type unreadable struct {
	imagesync.Store
	broken map[string]bool
}

var errUnreadable = errors.New("state file damaged")

func (u *unreadable) Load(ctx context.Context, ref imagesync.ProductRef) (imagesync.State, error) {
	if u.broken[ref.Product] {
		return imagesync.State{}, errUnreadable
	}
	return u.Store.Load(ctx, ref)
}

// TestUnreadableState: a product whose state cannot be loaded is not
// synced (its state is never taken for an empty one): Sync, Apply and Run
// fail for it without a call to the platform, and Run syncs the others.
// Apply also refuses a plan whose state changed since it was made.
func TestUnreadableState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := shopimgtest.NewFake()
	store := &unreadable{Store: imagesync.NewMemoryStore(), broken: map[string]bool{}}
	target := imagesync.Target{Platform: "full", Images: fake}
	s := &imagesync.Syncer{Store: store}
	var jobs []imagesync.Job
	for _, pid := range []string{"p1", "p2", "p3"} {
		fake.AddProduct(pid)
		jobs = append(jobs, imagesync.Job{Target: target, ProductID: pid, Desired: pim[:2]})
	}
	plan, err := s.Plan(ctx, target, "p2", pim[:2])
	if err != nil {
		t.Fatal(err)
	}
	fake.ResetCounts()
	store.broken["p2"] = true
	if _, err := s.Sync(ctx, target, "p2", pim[:2]); !errors.Is(err, errUnreadable) {
		t.Errorf("Sync: %v, want the Load error", err)
	}
	if _, err := s.Apply(ctx, target, plan); !errors.Is(err, errUnreadable) {
		t.Errorf("Apply: %v, want the Load error", err)
	}
	if n := len(fake.Calls()); n != 0 {
		t.Fatalf("calls %v with an unreadable state", fake.Calls())
	}
	rep, err := s.Run(ctx, slices.Values(jobs), imagesync.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Counts; c.Applied != 2 || c.Failed != 1 || !errors.Is(rep.Results[1].Err, errUnreadable) || len(fake.Images("p2")) != 0 {
		t.Errorf("Run: counts %+v, p2: %v with %d images", c, rep.Results[1].Err, len(fake.Images("p2")))
	}
	store.broken["p2"] = false
	if err := store.Save(ctx, target.Ref("p2"), imagesync.Change{Put: []imagesync.Mapping{{Key: "other", ImageID: "9"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, target, plan); !errors.Is(err, shopimg.ErrConflict) || len(fake.Images("p2")) != 0 {
		t.Errorf("Apply after the state changed: %v", err)
	}
}

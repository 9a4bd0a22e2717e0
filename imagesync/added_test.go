package imagesync_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
)

// followUpCauses are the errors a step after the create of an Add can
// fail with: reading the image back, or placing it.
var followUpCauses = []struct {
	name string
	err  error
}{
	{"429", &shopimg.APIError{StatusCode: 429, RetryAfter: 30 * time.Second}},
	{"401", &shopimg.APIError{StatusCode: 401}},
	{"404", &shopimg.APIError{StatusCode: 404}},
	{"validation", &shopimg.APIError{StatusCode: 422, Message: "sort_order is invalid"}},
	{"5xx", &shopimg.APIError{StatusCode: 503}},
}

// addedScenario is a product with one unknown image, and a desired gallery
// of three images to add before it.
func addedScenario(fake *shopimgtest.Fake, pid string) scenario {
	sc := scenario{current: fake.Seed(pid, shopimg.Image{URL: "https://elsewhere.example/x.jpg", Alt: "by hand"}), rewritesURLs: !fake.Capabilities().KeepsSourceURL}
	for _, k := range []string{"a", "b", "c"} {
		sc.desired = append(sc.desired, imagesync.Entry{Key: k, SourceURL: "https://pim.example.com/" + k + ".jpg", Alt: "alt " + k})
	}
	return sc
}

// createdThenFailed is the fault of an Add whose image is created before a
// follow-up step fails with cause.
func createdThenFailed(pid string, skip int, cause error) shopimgtest.Fault {
	return shopimgtest.Fault{Call: shopimgtest.CallAdd, ProductID: pid, Skip: skip, Apply: true,
		Err: &shopimg.AddedError{Step: "read it back", Err: cause}}
}

// TestAddFollowUpFailed: the last add of a sync creates its image, then a
// follow-up step fails (each kind of error, every profile), reported as an
// AddedError, or by an adapter that returns the image with the follow-up's
// own error. The sync stops with that error, having recorded the image as
// the key's; the next sync adds nothing and finishes the gallery.
func TestAddFollowUpFailed(t *testing.T) {
	t.Parallel()
	for _, p := range profiles(false) {
		for _, c := range followUpCauses {
			for _, marked := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/added-error-%v", p.name, c.name, marked), func(t *testing.T) {
					t.Parallel()
					addFollowUpFailed(t, p, c.err, marked)
				})
			}
		}
	}
}

// addFollowUpFailed runs one case of TestAddFollowUpFailed.
func addFollowUpFailed(t *testing.T, p profile, cause error, marked bool) {
	ctx := context.Background()
	fake := p.fake()
	sc := addedScenario(fake, "p")
	fake.Inject(createdThenFailed("p", 2, cause))
	var images shopimg.ProductImages = fake
	if !marked {
		images = unmarked{fake}
	}
	target := imagesync.Target{Platform: p.name, Images: images}
	s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}
	first, err := s.Sync(ctx, target, "p", sc.desired)
	if err == nil || marked && !errors.Is(err, shopimg.ErrAdded) || fake.PendingFaults() != 0 {
		t.Fatalf("first sync: %v; want the add's error\n%s", err, first.Plan)
	}
	st, _ := s.Store.Load(ctx, target.Ref("p"))
	created := fake.Images("p")
	if i := slices.IndexFunc(created, func(img shopimg.Image) bool { return img.Alt == "alt c" }); i < 0 || !slices.Contains(st.Mappings, imagesync.Mapping{Key: "c", ImageID: created[i].ID, Created: true}) || len(st.Intents) != 0 {
		t.Fatalf("after the first sync the store holds %+v; want c mapped to its image and no intent (images %v)", st, created)
	}
	adds := fake.Calls()[shopimgtest.CallAdd]
	second, err := s.Sync(ctx, target, "p", sc.desired)
	if err != nil {
		t.Fatalf("second sync: %v\n%s", err, second.Plan)
	}
	if got := fake.Calls()[shopimgtest.CallAdd]; got != adds || slices.ContainsFunc(second.Done, func(op imagesync.Op) bool { return op.Kind == imagesync.OpAdd }) {
		t.Errorf("the second sync added %d images\n%s", got-adds, second.Plan)
	}
	st, _ = s.Store.Load(ctx, target.Ref("p"))
	if err := checkOutcome(sc, p.caps, fake.Images("p"), st, second.Drift); err != nil {
		t.Errorf("%v\nfirst:\n%s\nsecond:\n%s", err, first.Plan, second.Plan)
	}
}

// cancelling cancels the sync's context when an Add fails, before it
// returns, as if the process were told to stop while the add was in
// flight.
type cancelling struct {
	*shopimgtest.Fake
	cancel context.CancelFunc
}

func (c *cancelling) Add(ctx context.Context, pid string, img shopimg.NewImage) (shopimg.Image, error) {
	got, err := c.Fake.Add(ctx, pid, img)
	if err != nil {
		c.cancel()
	}
	return got, err
}

// TestAddIntentKeptUnlessRefused: an add's intent is dropped without a
// mapping only when its error proves that nothing was created. After an
// outcome-unknown error, or any error of an add whose context was cancelled
// meanwhile, the next sync adopts the image the add created; after a
// refusal, it adds the image. Either way the entry has one image.
func TestAddIntentKeptUnlessRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		err     error
		created bool // the fake makes the add
		cancel  bool // the context is cancelled while the add is in flight
	}{
		{"outcome-unknown", errors.Join(shopimg.ErrOutcomeUnknown, &shopimg.APIError{StatusCode: 429}), true, false},
		{"cancelled-wrapping-401", fmt.Errorf("%w: %w", context.Canceled, &shopimg.APIError{StatusCode: 401}), true, true},
		{"cancelled-then-401", &shopimg.APIError{StatusCode: 401, Message: "token source: context canceled"}, true, true},
		{"refused-401", &shopimg.APIError{StatusCode: 401}, false, false},
		{"refused-429", &shopimg.APIError{StatusCode: 429}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fake := shopimgtest.NewFake()
			sc := addedScenario(fake, "p")
			fake.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Skip: 1, Err: c.err, Apply: c.created})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var images shopimg.ProductImages = fake
			if c.cancel {
				images = &cancelling{Fake: fake, cancel: cancel}
			}
			target := imagesync.Target{Platform: "full", Images: images}
			s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}
			if _, err := s.Sync(ctx, target, "p", sc.desired); err == nil || fake.PendingFaults() != 0 {
				t.Fatalf("first sync: %v, %d faults left; want the fault's error", err, fake.PendingFaults())
			}
			st, _ := s.Store.Load(context.Background(), target.Ref("p"))
			if kept := len(st.Intents) == 1; kept != c.created {
				t.Fatalf("intents after the failed add: %+v; want one kept: %v", st.Intents, c.created)
			}
			target.Images = fake
			second, err := s.Sync(context.Background(), target, "p", sc.desired)
			if err != nil {
				t.Fatalf("second sync: %v\n%s", err, second.Plan)
			}
			adopted := slices.ContainsFunc(second.Done, func(op imagesync.Op) bool { return op.Kind == imagesync.OpAdopt && op.Ref.Key == "b" })
			st, _ = s.Store.Load(context.Background(), target.Ref("p"))
			if err := checkOutcome(sc, fake.Capabilities(), fake.Images("p"), st, second.Drift); err != nil || adopted != c.created {
				t.Errorf("adopted %v, want %v; %v\n%s", adopted, c.created, err, second.Plan)
			}
		})
	}
}

// unmarked is an adapter that, when an add creates its image and a
// follow-up step fails, returns the image with the follow-up's own error
// instead of an *shopimg.AddedError.
type unmarked struct{ *shopimgtest.Fake }

func (u unmarked) Add(ctx context.Context, pid string, img shopimg.NewImage) (shopimg.Image, error) {
	got, err := u.Fake.Add(ctx, pid, img)
	var added *shopimg.AddedError
	if errors.As(err, &added) {
		return got, added.Err
	}
	return got, err
}

// TestRunThrottledAddNotRepeated: within one Run, an add that created its
// image and was then throttled (reported as an AddedError, or by an
// adapter that returns the image with the 429 itself) pauses the store for
// the platform's Retry-After; the job is tried again and does not add the
// image twice.
func TestRunThrottledAddNotRepeated(t *testing.T) {
	t.Parallel()
	fake := shopimgtest.NewFake()
	throttle := &shopimg.APIError{StatusCode: 429, RetryAfter: 30 * time.Second}
	var jobs []imagesync.Job
	scenarios := map[string]scenario{}
	for _, pid := range []string{"marked", "unmarked"} {
		scenarios[pid] = addedScenario(fake, pid)
		fake.Inject(createdThenFailed(pid, 1, throttle))
		var images shopimg.ProductImages = fake
		if pid == "unmarked" {
			images = unmarked{fake}
		}
		jobs = append(jobs, imagesync.Job{Target: imagesync.Target{Platform: "full", Store: "s", Images: images}, ProductID: pid, Desired: scenarios[pid].desired})
	}
	clock := shopimgtest.NewClock(time.Unix(0, 0))
	store := imagesync.NewMemoryStore()
	s := &imagesync.Syncer{Store: store, Clock: clock}
	rep, err := s.Run(context.Background(), slices.Values(jobs), imagesync.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Counts; c.Applied != 2 || c.Throttled != 2 || c.Failed != 0 {
		t.Errorf("counts %+v, want 2 applied after 2 throttled", c)
	}
	if clock.Slept() < 30*time.Second {
		t.Errorf("slept %v, want the platform's 30s", clock.Slept())
	}
	for i, res := range rep.Results {
		pid := jobs[i].ProductID
		st, _ := store.Load(context.Background(), res.Ref)
		if err := checkOutcome(scenarios[pid], fake.Capabilities(), fake.Images(pid), st, res.Drift); err != nil {
			t.Errorf("%s: %v (%v)\n%s", pid, err, res.Err, res.Plan)
		}
	}
	if adds := fake.Calls()[shopimgtest.CallAdd]; adds != 6 {
		t.Errorf("%d Add calls, want 6 (three images for each product)", adds)
	}
}

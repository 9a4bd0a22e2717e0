package imagesync_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
)

func TestValidateGallery(t *testing.T) {
	t.Parallel()
	file := shopimg.FileFromBytes("a.png", []byte("x"))
	cases := []struct {
		name    string
		desired []imagesync.Entry
		field   string
	}{
		{"EmptyKey", []imagesync.Entry{{SourceURL: "https://x.example/a.jpg"}}, "desired[0].Key"},
		{"DuplicateKey", []imagesync.Entry{{Key: "a"}, {Key: "a"}}, "desired[1].Key"},
		{"BothSources", []imagesync.Entry{{Key: "a", SourceURL: "https://x.example/a.jpg", File: file}}, "desired[0]"},
		{"RelativeURL", []imagesync.Entry{{Key: "a", SourceURL: "/a.jpg"}}, "desired[0].SourceURL"},
		{"FileWithoutOpen", []imagesync.Entry{{Key: "a", File: &shopimg.File{Name: "a.png"}}}, "desired[0].File"},
		{"LongKey", []imagesync.Entry{{Key: "a"}, {Key: strings.Repeat("é", imagesync.MaxKeyLen/2) + "b"}}, "desired[1].Key"},
	}
	for _, c := range cases {
		err := imagesync.ValidateGallery(c.desired)
		var in *shopimg.InputError
		if !errors.Is(err, shopimg.ErrInvalidInput) || !errors.As(err, &in) || in.Field != c.field {
			t.Errorf("%s: %v, want invalid input about %s", c.name, err, c.field)
		}
	}
	if err := imagesync.ValidateGallery([]imagesync.Entry{{Key: "a"}, {Key: "b", File: file}, {Key: "c", SourceURL: "https://x.example/c.jpg"}, {Key: strings.Repeat("d", imagesync.MaxKeyLen)}}); err != nil {
		t.Errorf("valid gallery: %v", err)
	}
}

// TestLongKeyRefusedBeforeSending: a key longer than MaxKeyLen (here
// longer than a bbolt key can be) fails the sync before any call, every
// time, and leaves the state file usable for the other keys.
func TestLongKeyRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := shopimgtest.NewFake()
	fake.AddProduct("p")
	target := imagesync.Target{Platform: "full", Images: fake}
	s := &imagesync.Syncer{Store: openBolt(t, filepath.Join(t.TempDir(), "state.db"))}
	long := []imagesync.Entry{{Key: "a", SourceURL: "https://x.example/a.jpg"}, {Key: strings.Repeat("k", 40000), SourceURL: "https://x.example/b.jpg"}}
	for range 2 {
		if _, err := s.Sync(ctx, target, "p", long); !errors.Is(err, shopimg.ErrInvalidInput) || len(fake.Calls()) != 0 {
			t.Fatalf("Sync with a %d-byte key: %v after calls %v; want invalid input before any call", len(long[1].Key), err, fake.Calls())
		}
	}
	if res, err := s.Sync(ctx, target, "p", long[:1]); err != nil || res.Writes != 1 {
		t.Fatalf("Sync without the long key: %v, %d writes", err, res.Writes)
	}
}

func TestSyncerErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := shopimgtest.NewFake()
	fake.AddProduct("p")
	target := imagesync.Target{Platform: "full", Images: fake}
	desired := []imagesync.Entry{{Key: "a", SourceURL: "https://x.example/a.jpg"}}
	s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}

	if _, err := (&imagesync.Syncer{}).Sync(ctx, target, "p", desired); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("no store: %v", err)
	}
	if _, err := s.Sync(ctx, imagesync.Target{Images: fake}, "p", desired); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("no platform: %v", err)
	}
	if _, err := s.Sync(ctx, target, "", desired); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("no product: %v", err)
	}
	blind := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimg.Capabilities{AddFromURL: true}))
	if _, err := s.Sync(ctx, imagesync.Target{Platform: "blind", Images: blind}, "p", desired); !errors.Is(err, shopimg.ErrUnsupported) {
		t.Errorf("no List: %v", err)
	}
	if _, err := s.Sync(ctx, target, "missing", desired); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("unknown product: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Sync(cancelled, target, "p", desired); !errors.Is(err, context.Canceled) || fake.Writes() != 0 {
		t.Errorf("cancelled: %v, %d writes", err, fake.Writes())
	}

	// Apply checks its plan against the target.
	p, err := s.Plan(ctx, target, "p", desired)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, imagesync.Target{Platform: "other", Images: fake}, p); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("plan for another target: %v", err)
	}
	if _, err := s.Apply(ctx, imagesync.Target{Platform: "full", Images: shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.SallaProfile))}, p); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("plan for other capabilities: %v", err)
	}
	var decoded imagesync.Plan
	b, _ := json.Marshal(p)
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, target, &decoded); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("plan from JSON: %v", err)
	}
	if _, err := fake.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://x.example/b.jpg"}); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Apply(ctx, target, p); !errors.Is(err, shopimg.ErrConflict) || res.Err != err {
		t.Errorf("gallery changed since the plan: %v", err)
	}
}

// A delete that finds the image already gone counts as done.
func TestDeleteOfVanishedImage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := shopimgtest.NewFake()
	imgs := fake.Seed("p", shopimg.Image{URL: "https://x.example/a.jpg"})
	target := imagesync.Target{Platform: "full", Images: fake}
	store := storeWith(t, target.Ref("p"), imagesync.State{Mappings: []imagesync.Mapping{{Key: "a", ImageID: imgs[0].ID, Created: true}}})
	fake.Inject(shopimgtest.Fault{Call: shopimgtest.CallDelete, Err: shopimg.ErrNotFound})
	res, err := (&imagesync.Syncer{Store: store}).Sync(ctx, target, "p", nil)
	if err != nil || len(res.Done) != 1 || res.Writes != 0 {
		t.Fatalf("Sync: %v, done %v", err, res.Done)
	}
	if st, _ := store.Load(ctx, target.Ref("p")); len(st.Mappings) != 0 {
		t.Errorf("mapping kept: %v", st.Mappings)
	}
}

func TestMirrorEntries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := shopimgtest.NewFake()
	src.Seed("42", shopimg.Image{URL: "https://cdn.example/a.jpg", Alt: "A"}, shopimg.Image{URL: "", Alt: "no url"}, shopimg.Image{URL: "assets/b.jpg", Alt: "relative"})
	got, err := imagesync.Mirror(ctx, imagesync.Target{Platform: "big commerce", Store: "s/1", Images: src}, "42")
	if err != nil {
		t.Fatal(err)
	}
	want := []imagesync.Entry{
		{Key: "big%20commerce/s%2F1/42/1", SourceURL: "https://cdn.example/a.jpg", Alt: "A"},
		{Key: "big%20commerce/s%2F1/42/2", Alt: "no url"},
		{Key: "big%20commerce/s%2F1/42/3", Alt: "relative"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Mirror (-want +got):\n%s", d)
	}
	dst := shopimgtest.NewFake()
	dst.AddProduct("p")
	res, err := (&imagesync.Syncer{Store: imagesync.NewMemoryStore()}).Sync(ctx, imagesync.Target{Platform: "full", Images: dst}, "p", got)
	if err != nil || len(res.Drift) != 2 || len(dst.Images("p")) != 1 {
		t.Errorf("sync of a mirror with unusable sources: %v, drift %v", err, res.Drift)
	}
	if _, err := imagesync.Mirror(ctx, imagesync.Target{Platform: "full", Images: src}, "missing"); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("mirror of a missing product: %v", err)
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.ThreeDCartProfile))
	fake.Seed("7", shopimg.Image{URL: "https://x.example/old.jpg", Alt: "Old"})
	target := imagesync.Target{Platform: "threedcart", Store: "shop", Images: fake}
	store := storeWith(t, target.Ref("7"), imagesync.State{Mappings: []imagesync.Mapping{{Key: "old", ImageID: "1", Created: true}}})
	s := &imagesync.Syncer{Store: store, Policy: imagesync.Policy{Delete: imagesync.MirrorExact}}
	desired := []imagesync.Entry{{Key: "new", SourceURL: "https://x.example/new.jpg", Alt: "New"}}
	fake.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Err: &shopimg.APIError{StatusCode: 500, Message: "boom"}})
	res, _ := s.Sync(ctx, target, "7", desired)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	plan := got["plan"].(map[string]any)
	if got["error"] == nil || !strings.Contains(got["error"].(string), "boom") || plan["policy"].(map[string]any)["delete"] != "mirror-exact" ||
		plan["ops"].([]any)[0].(map[string]any)["op"] != "add" || plan["drift"].([]any)[0].(map[string]any)["what"] != "delete" {
		t.Errorf("JSON: %s", b)
	}
	var p imagesync.DeletePolicy
	if err := p.UnmarshalText([]byte("delete-created")); err != nil || p != imagesync.DeleteCreated {
		t.Errorf("UnmarshalText: %v %v", p, err)
	}
	if err := p.UnmarshalText([]byte("all")); err == nil {
		t.Error("UnmarshalText of an unknown policy succeeded")
	}
	if _, err := imagesync.DeletePolicy(9).MarshalText(); err == nil || imagesync.DeletePolicy(9).String() != "DeletePolicy(9)" {
		t.Error("MarshalText of an unknown policy succeeded")
	}
}

// Alt changes travel in batches where the platform batches (3dcart's
// collection PUT, Shoptet's PATCH of up to 100, FinerWorks' update_images
// of up to 5 a call) and one Update each elsewhere; a new order rides in
// the same batch where the platform batches both, and in the same Update
// as each image's alt change on the others.
func TestBatchedAltChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		profile string
		writes  int // platform writes, for 12 alt changes with or without reversing the order
		batch   bool
	}{
		{"threedcart", 1, true},
		{"shoptet", 1, true},
		{"finerworks", 3, true}, // ceil(12/5); it has no order (drift)
		{"bigcommerce", 12, false},
		{"salla", 12, false},
	} {
		t.Run(c.profile, func(t *testing.T) {
			t.Parallel()
			caps := shopimgtest.Profiles()[c.profile]
			for _, reverse := range []bool{false, true} {
				fake := shopimgtest.NewFake(shopimgtest.WithCapabilities(caps))
				var seed []shopimg.Image
				for i := range 12 {
					seed = append(seed, shopimg.Image{URL: fmt.Sprintf("https://pim.example.com/%d.jpg", i), Alt: "old"})
				}
				imgs := fake.Seed("p", seed...)
				var st imagesync.State
				var desired []imagesync.Entry
				for i, img := range imgs {
					k := fmt.Sprint("k", i)
					st.Mappings = append(st.Mappings, imagesync.Mapping{Key: k, ImageID: img.ID, Created: true})
					desired = append(desired, imagesync.Entry{Key: k, SourceURL: img.URL, Alt: fmt.Sprint("new ", i)})
				}
				if reverse {
					slices.Reverse(desired)
				}
				target := imagesync.Target{Platform: c.profile, Images: fake}
				res, err := (&imagesync.Syncer{Store: storeWith(t, target.Ref("p"), st)}).Sync(ctx, target, "p", desired)
				if err != nil {
					t.Fatal(err)
				}
				calls := fake.Calls()
				if fake.Writes() != c.writes || res.Writes != c.writes || (calls[shopimgtest.CallUpdateImages] == 1) != c.batch || calls[shopimgtest.CallReorder] != 0 {
					t.Errorf("reverse %v: %d writes (%v), want %d\n%s", reverse, fake.Writes(), calls, c.writes, res.Plan)
				}
				var got, want []string
				for _, img := range fake.Images("p") {
					got = append(got, img.Alt)
				}
				for _, e := range desired {
					want = append(want, e.Alt)
				}
				if !caps.Reorder {
					slices.Sort(got)
					slices.Sort(want)
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("reverse %v: alt texts in gallery order (-want +got):\n%s", reverse, d)
				}
			}
		})
	}
}

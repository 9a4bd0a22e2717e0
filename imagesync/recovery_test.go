package imagesync_test

import (
	"context"
	"slices"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
)

// recoveryCase seeds a product whose last sync was interrupted while adding
// key "new" (source https://pim.example.com/new.jpg, alt "New") to a gallery
// holding image "1" of key "old"; the images in after appeared since.
type recoveryCase struct {
	name  string
	after []shopimg.Image
	// adopt is the image the recovery must adopt, "" if none.
	adopt string
	// ambiguous: the entry is reported as DriftRecover and not added.
	ambiguous bool
}

func TestRecoveryRule(t *testing.T) {
	t.Parallel()
	const src = "https://pim.example.com/new.jpg"
	cases := []recoveryCase{
		{name: "NothingAppeared"},
		{name: "OursByURL", after: []shopimg.Image{{ID: "2", URL: src, Alt: "New"}}, adopt: "2"},
		{name: "OursRewrittenByName", after: []shopimg.Image{{ID: "2", URL: "https://cdn.example/s-1/images/2/new.1700000000.1280.1280.jpg?c=2", Alt: "other"}}, adopt: "2"},
		{name: "OursByAltOnly", after: []shopimg.Image{{ID: "2", URL: "https://cdn.example/x/abc.jpg", Alt: "New"}}, adopt: "2"},
		{name: "OursAndSomeoneElses", after: []shopimg.Image{{ID: "2", URL: "https://elsewhere.example/a.jpg", Alt: "hand-made"}, {ID: "3", URL: src, Alt: "New"}}, adopt: "3"},
		{name: "LoneStranger", after: []shopimg.Image{{ID: "2", URL: "https://elsewhere.example/a.jpg", Alt: "hand-made"}}, ambiguous: true},
		{name: "Twins", after: []shopimg.Image{{ID: "2", URL: src, Alt: "New"}, {ID: "3", URL: src, Alt: "New"}}, ambiguous: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fake := shopimgtest.NewFake()
			fake.Seed("p", append([]shopimg.Image{{ID: "1", URL: "https://pim.example.com/old.jpg", Alt: "Old"}}, c.after...)...)
			target := imagesync.Target{Platform: "full", Images: fake}
			store := storeWith(t, target.Ref("p"), imagesync.State{
				Mappings: []imagesync.Mapping{{Key: "old", ImageID: "1", Created: true}},
				Intents:  []imagesync.Intent{{Key: "new", Before: []string{"1"}, SourceURL: src, Alt: "New"}},
			})
			desired := []imagesync.Entry{{Key: "old", SourceURL: "https://pim.example.com/old.jpg", Alt: "Old"}, {Key: "new", SourceURL: src, Alt: "New"}}
			s := &imagesync.Syncer{Store: store}
			res, err := s.Sync(ctx, target, "p", desired)
			if err != nil {
				t.Fatal(err)
			}
			st, _ := store.Load(ctx, target.Ref("p"))
			mapped := map[string]string{}
			for _, m := range st.Mappings {
				mapped[m.Key] = m.ImageID
			}
			recover := slices.ContainsFunc(res.Drift, func(d imagesync.Drift) bool { return d.What == imagesync.DriftRecover && d.Ref.Key == "new" })
			added := fake.Calls()[shopimgtest.CallAdd]
			switch {
			case c.ambiguous:
				if !recover || added != 0 || mapped["new"] != "" || len(st.Intents) != 1 {
					t.Errorf("ambiguous: drift %v, %d adds, mapped %q, intents %v\n%s", res.Drift, added, mapped["new"], st.Intents, res.Plan)
				}
			case c.adopt != "":
				if recover || added != 0 || mapped["new"] != c.adopt || len(st.Intents) != 0 {
					t.Errorf("want %s adopted: drift %v, %d adds, mapped %q\n%s", c.adopt, res.Drift, added, mapped["new"], res.Plan)
				}
			default:
				if recover || added != 1 || mapped["new"] == "" || len(st.Intents) != 0 {
					t.Errorf("want the add repeated: drift %v, %d adds, mapped %q\n%s", res.Drift, added, mapped["new"], res.Plan)
				}
			}
		})
	}
}

// An ambiguous recovery stays reported until someone removes the extra
// image; then the remaining one is adopted.
func TestAmbiguousRecoveryResolvedByHand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const src = "https://pim.example.com/new.jpg"
	fake := shopimgtest.NewFake()
	fake.Seed("p", shopimg.Image{ID: "2", URL: src, Alt: "New"}, shopimg.Image{ID: "3", URL: src, Alt: "New"})
	target := imagesync.Target{Platform: "full", Images: fake}
	store := storeWith(t, target.Ref("p"), imagesync.State{Intents: []imagesync.Intent{{Key: "new", SourceURL: src, Alt: "New"}}})
	s := &imagesync.Syncer{Store: store}
	desired := []imagesync.Entry{{Key: "new", SourceURL: src, Alt: "New"}}
	for range 2 {
		if res, err := s.Sync(ctx, target, "p", desired); err != nil || len(res.Drift) != 1 || res.Writes != 0 {
			t.Fatalf("Sync: %v, drift %v, %d writes", err, res.Drift, res.Writes)
		}
	}
	if err := fake.Delete(ctx, "p", "3"); err != nil {
		t.Fatal(err)
	}
	res, err := s.Sync(ctx, target, "p", desired)
	if err != nil || len(res.Drift) != 0 || res.Done[0].Kind != imagesync.OpAdopt || res.Done[0].Ref.ImageID != "2" {
		t.Fatalf("after the fix: %v, drift %v\n%s", err, res.Drift, res.Plan)
	}
}

// An add the platform refuses for that image alone (here: it cannot fetch
// the URL) is drift; the rest of the gallery is still synced, and the
// positions after it still come out right.
func TestRefusedAddIsDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, p := range profiles(false) {
		fake := p.fake()
		fake.AddProduct("p")
		fake.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Skip: 1, Err: &shopimg.APIError{StatusCode: 400, Message: "image could not be downloaded"}})
		var desired []imagesync.Entry
		for _, k := range []string{"a", "b", "c", "d"} {
			desired = append(desired, imagesync.Entry{Key: k, SourceURL: "https://pim.example.com/" + k + ".jpg", Alt: k})
		}
		s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}
		target := imagesync.Target{Platform: p.name, Images: fake}
		res, err := s.Sync(ctx, target, "p", desired)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		var alts []string
		for _, img := range fake.Images("p") {
			alts = append(alts, img.Alt)
		}
		if len(res.Drift) != 1 || res.Drift[0].What != imagesync.DriftAdd || res.Drift[0].Ref.Key != "b" || !slices.Equal(alts, []string{"a", "c", "d"}) {
			t.Errorf("%s: drift %v, gallery %v\n%s", p.name, res.Drift, alts, res.Plan)
		}
		if st, _ := s.Store.Load(ctx, target.Ref("p")); len(st.Intents) != 0 {
			t.Errorf("%s: the refused add left an intent: %v", p.name, st.Intents)
		}
		res, _ = s.Sync(ctx, target, "p", desired)
		if adds := slices.IndexFunc(res.Done, func(op imagesync.Op) bool { return op.Kind == imagesync.OpAdd }); adds < 0 || len(res.Drift) != 0 && p.caps.Reorder {
			t.Errorf("%s: the next sync did not add the image:\n%s", p.name, res.Plan)
		}
	}
}

package imagesync_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
)

// profile is a platform profile with the image IDs the platform uses.
type profile struct {
	name string
	caps shopimg.Capabilities
	ids  func(n int) string
}

// profiles are the six shopimgtest profiles, with platform-like IDs, plus
// made-up ones that stress corners no platform has (batches smaller than a
// gallery, appending adds with per-image moves, a main image without
// reordering).
func profiles(extra bool) []profile {
	ps := []profile{
		{"full", shopimgtest.FullProfile, nil},
		{"threedcart", shopimgtest.ThreeDCartProfile, nil},
		{"bigcommerce", shopimgtest.BigCommerceProfile, nil},
		{"salla", shopimgtest.SallaProfile, func(n int) string { return fmt.Sprint(1908361000 + n) }},
		{"shoptet", shopimgtest.ShoptetProfile, func(n int) string { return fmt.Sprintf("%d_image.jpg", n) }},
		{"finerworks", shopimgtest.FinerWorksProfile, func(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }},
	}
	if extra {
		small := shopimgtest.ShoptetProfile
		small.MaxPerCall = 2
		appendOnly := shopimgtest.BigCommerceProfile
		appendOnly.AddAtPosition, appendOnly.MaxImages = false, 0
		mainOnly := shopimg.Capabilities{List: true, AddFromURL: true, AddFromFile: true, Update: true, Delete: true, SetMain: true, BatchUpdate: true, MaxPerCall: 3}
		batchNoReorderBatch := shopimgtest.FullProfile
		batchNoReorderBatch.BatchReorder, batchNoReorderBatch.MaxPerCall = false, 3
		ps = append(ps,
			profile{"x-shoptet-per-2", small, nil},
			profile{"x-append-per-image", appendOnly, nil},
			profile{"x-main-only", mainOnly, nil},
			profile{"x-batch-update-per-3", batchNoReorderBatch, nil},
		)
	}
	return ps
}

func (p profile) fake() *shopimgtest.Fake {
	opts := []shopimgtest.Option{shopimgtest.WithCapabilities(p.caps)}
	if p.ids != nil {
		opts = append(opts, shopimgtest.WithIDs(p.ids))
	}
	return shopimgtest.NewFake(opts...)
}

// scenario is a random starting point: a product's gallery, what the store
// knows about it, and a desired gallery.
type scenario struct {
	current []shopimg.Image // as seeded (IDs assigned by the fake)
	state   imagesync.State
	desired []imagesync.Entry
	policy  imagesync.Policy
	// rewritesURLs: the platform serves images from its own URLs, so an
	// added image's URL is not its source's.
	rewritesURLs bool
}

var alts = []string{"", "red", "blue", "side view"}

func srcURL(i int) string { return fmt.Sprintf("https://pim.example.com/assets/u%d.jpg", i) }

// randomScenario seeds fake's product pid with a random gallery of up to
// maxImages images and returns the scenario.
func randomScenario(rng *rand.Rand, fake *shopimgtest.Fake, pid string, maxImages int) scenario {
	sc := randomScenarioWith(rng, func(imgs []shopimg.Image) []shopimg.Image { return fake.Seed(pid, imgs...) }, maxImages)
	sc.rewritesURLs = !fake.Capabilities().KeepsSourceURL
	return sc
}

// randomScenarioWith is randomScenario with a product seeded by seed, which
// stores the images (only URL and Alt matter) and returns them as listed.
func randomScenarioWith(rng *rand.Rand, seed func([]shopimg.Image) []shopimg.Image, maxImages int) scenario {
	var sc scenario
	n := rng.IntN(maxImages + 1)
	urls := 2*maxImages + 2
	imgs := make([]shopimg.Image, n)
	for i := range imgs {
		imgs[i] = shopimg.Image{URL: srcURL(rng.IntN(urls)), Alt: alts[rng.IntN(len(alts))]}
	}
	sc.current = seed(imgs)
	keys := rng.Perm(maxImages + 4)
	next := 0
	mapped := map[string]string{} // key -> url of its image
	for _, img := range sc.current {
		if rng.IntN(10) < 6 {
			k := fmt.Sprintf("k%d", keys[next])
			next++
			sc.state.Mappings = append(sc.state.Mappings, imagesync.Mapping{Key: k, ImageID: img.ID, Created: rng.IntN(10) < 7})
			mapped[k] = img.URL
		}
	}
	for range rng.IntN(3) { // stale mappings
		if next < len(keys) {
			sc.state.Mappings = append(sc.state.Mappings, imagesync.Mapping{Key: fmt.Sprintf("k%d", keys[next]), ImageID: "gone-" + fmt.Sprint(next), Created: true})
			next++
		}
	}
	order := rng.Perm(maxImages + 4)
	m := rng.IntN(maxImages + 1)
	for _, k := range order[:m] {
		key := fmt.Sprintf("k%d", k)
		e := imagesync.Entry{Key: key, Alt: alts[rng.IntN(len(alts))]}
		switch r := rng.IntN(100); {
		case r < 3: // no source
		case r < 15:
			e.File = shopimg.FileFromBytes(key+".png", []byte("png "+key))
		case mapped[key] != "" && r < 60:
			e.SourceURL = mapped[key]
		default:
			e.SourceURL = srcURL(rng.IntN(urls))
		}
		sc.desired = append(sc.desired, e)
	}
	sc.policy = imagesync.Policy{Delete: imagesync.DeletePolicy(rng.IntN(3)), AdoptExisting: rng.IntN(2) == 0}
	return sc
}

// storeWith returns a memory store holding st for ref.
func storeWith(t *testing.T, ref imagesync.ProductRef, st imagesync.State) *imagesync.MemoryStore {
	t.Helper()
	s := imagesync.NewMemoryStore()
	c := imagesync.Change{Put: st.Mappings}
	if err := s.Save(context.Background(), ref, c); err != nil {
		t.Fatal(err)
	}
	for _, in := range st.Intents {
		if err := s.Save(context.Background(), ref, imagesync.Change{Begin: &in}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// checkOutcome checks the gallery final against what the scenario asked,
// excusing only the reported drift, and checks that each drift is
// justified by the capabilities. state is the store's state afterwards.
func checkOutcome(sc scenario, caps shopimg.Capabilities, final []shopimg.Image, state imagesync.State, drift []imagesync.Drift) error {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	driftKey := map[imagesync.DriftKind]map[string]bool{}
	orderDrift := false
	for _, d := range drift {
		if driftKey[d.What] == nil {
			driftKey[d.What] = map[string]bool{}
		}
		driftKey[d.What][d.Ref.Key] = true
		driftKey[d.What]["#"+d.Ref.ImageID] = true
		switch d.What {
		case imagesync.DriftOrder:
			orderDrift = true
			if caps.Reorder {
				fail("order drift on a platform that reorders: %v", d)
			}
		case imagesync.DriftDelete:
			if caps.Delete {
				fail("delete drift on a platform that deletes: %v", d)
			}
		case imagesync.DriftAlt:
			if caps.Update {
				fail("alt drift on a platform that updates: %v", d)
			}
		case imagesync.DriftAdd:
			e := entryOf(sc.desired, d.Ref.Key)
			full := caps.MaxImages > 0 && len(final) >= caps.MaxImages
			if !(full || e.SourceURL == "" && e.File == nil || e.File != nil && !caps.AddFromFile || e.SourceURL != "" && !caps.AddFromURL) {
				fail("unjustified add drift: %v", d)
			}
		case imagesync.DriftRecover:
			fail("recover drift without intents: %v", d)
		}
	}

	original := map[string]shopimg.Image{}
	for _, img := range sc.current {
		original[img.ID] = img
	}
	before := map[string]imagesync.Mapping{} // image ID -> initial mapping
	for _, m := range sc.state.Mappings {
		if _, ok := original[m.ImageID]; ok {
			before[m.ImageID] = m
		}
	}
	keyOf := map[string]string{} // image ID -> key, afterwards
	for _, m := range state.Mappings {
		if other, dup := keyOf[m.ImageID]; dup {
			fail("image %s mapped to %s and %s", m.ImageID, other, m.Key)
		}
		keyOf[m.ImageID] = m.Key
	}
	if len(state.Intents) > 0 {
		fail("pending intents after a complete sync: %v", state.Intents)
	}
	present := map[string]bool{}
	byKey := map[string]shopimg.Image{}
	for _, img := range final {
		present[img.ID] = true
		k := keyOf[img.ID]
		if k == "" {
			continue
		}
		e := entryOf(sc.desired, k)
		if e.Key == "" {
			if _, ok := original[img.ID]; !ok {
				fail("image %s mapped to undesired key %s was added", img.ID, k)
			}
			continue
		}
		if _, dup := byKey[k]; dup {
			fail("key %s has two images", k)
		}
		byKey[k] = img
		if img.Alt != e.Alt && !driftKey[imagesync.DriftAlt][k] {
			fail("image of %s has alt %q, want %q", k, img.Alt, e.Alt)
		}
		if o, ok := original[img.ID]; ok {
			initial := before[img.ID]
			released := sc.policy.Delete == imagesync.DeleteCreated && !initial.Created && entryOf(sc.desired, initial.Key).Key == ""
			adopted := (initial.Key == "" || released) && sc.policy.AdoptExisting && e.SourceURL != "" && o.URL == e.SourceURL
			if initial.Key != k && !adopted {
				fail("original image %s (mapped to %q) became the image of %s", img.ID, initial.Key, k)
			}
		} else if !sc.rewritesURLs && (e.SourceURL != "" && img.URL != e.SourceURL || e.File != nil && !strings.HasSuffix(img.URL, "/"+e.File.Name)) {
			fail("added image %s of %s has URL %s", img.ID, k, img.URL)
		}
	}
	for _, m := range state.Mappings {
		if !present[m.ImageID] {
			fail("mapping %v points to a missing image", m)
		}
	}
	for _, e := range sc.desired {
		if _, ok := byKey[e.Key]; !ok && !driftKey[imagesync.DriftAdd][e.Key] {
			fail("entry %s is missing", e.Key)
		}
	}

	// The originals not managed under a desired key: kept or deleted by
	// policy.
	var kept []string
	for _, img := range sc.current {
		if k := keyOf[img.ID]; k != "" && entryOf(sc.desired, k).Key != "" {
			continue
		}
		m := before[img.ID]
		var del bool
		switch sc.policy.Delete {
		case imagesync.MirrorExact:
			del = true
		case imagesync.KeepUnknown:
			del = m.Key != ""
		case imagesync.DeleteCreated:
			del = m.Key != "" && m.Created
		}
		if del && driftKey[imagesync.DriftDelete]["#"+img.ID] {
			del = false
		}
		switch {
		case del && present[img.ID]:
			fail("image %s (mapping %+v) should be deleted under %s", img.ID, m, sc.policy.Delete)
		case !del && !present[img.ID]:
			fail("image %s (mapping %+v) should be kept under %s", img.ID, m, sc.policy.Delete)
		case !del:
			kept = append(kept, img.ID)
		}
	}
	var want []string
	for _, e := range sc.desired {
		if img, ok := byKey[e.Key]; ok {
			want = append(want, img.ID)
		}
	}
	want = append(want, kept...)
	got := make([]string, len(final))
	for i, img := range final {
		got[i] = img.ID
	}
	if !orderDrift && !slices.Equal(got, want) {
		fail("order %v, want %v", got, want)
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		fail("images %v, want %v", got, want)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

func entryOf(desired []imagesync.Entry, key string) imagesync.Entry {
	for _, e := range desired {
		if e.Key == key {
			return e
		}
	}
	return imagesync.Entry{}
}

func describe(sc scenario, caps shopimg.Capabilities) string {
	var b strings.Builder
	fmt.Fprintf(&b, "caps %+v\npolicy %+v\ncurrent:\n", caps, sc.policy)
	for _, img := range sc.current {
		fmt.Fprintf(&b, "  %s %s %q\n", img.ID, img.URL, img.Alt)
	}
	fmt.Fprintf(&b, "state %+v\ndesired:\n", sc.state)
	for _, e := range sc.desired {
		src := e.SourceURL
		if e.File != nil {
			src = "file " + e.File.Name
		}
		fmt.Fprintf(&b, "  %s %s %q\n", e.Key, src, e.Alt)
	}
	return b.String()
}

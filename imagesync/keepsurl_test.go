package imagesync_test

import (
	"context"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
)

// TestAdoptExistingOnlyWhereTheURLIsKept checks that Policy.AdoptExisting
// adopts an unknown image whose URL equals an entry's source URL only on a
// platform that lists images under the URL they were added from
// (Capabilities.KeepsSourceURL): elsewhere the URL is the platform's own,
// and an equal one proves nothing.
func TestAdoptExistingOnlyWhereTheURLIsKept(t *testing.T) {
	t.Parallel()
	const src = "https://pim.example.com/front.jpg"
	for name, caps := range shopimgtest.Profiles() {
		if !caps.AddFromURL {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := shopimgtest.NewFake(shopimgtest.WithCapabilities(caps))
			seeded := f.Seed("p", shopimg.Image{URL: src, Alt: "Front"})
			s := &imagesync.Syncer{Store: imagesync.NewMemoryStore(), Policy: imagesync.Policy{AdoptExisting: true}}
			target := imagesync.Target{Platform: name, Store: "s", Images: f}
			p, err := s.Plan(context.Background(), target, "p", []imagesync.Entry{{Key: "front", SourceURL: src, Alt: "Front"}})
			if err != nil {
				t.Fatal(err)
			}
			adopted := len(p.Ops) > 0 && p.Ops[0].Kind == imagesync.OpAdopt && p.Ops[0].Ref.ImageID == seeded[0].ID
			if adopted != caps.KeepsSourceURL {
				t.Errorf("adopted %v, want %v (KeepsSourceURL); plan %+v", adopted, caps.KeepsSourceURL, p.Ops)
			}
		})
	}
}

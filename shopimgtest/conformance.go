package shopimgtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shopimg/shopimg"
)

// RunConformance runs the behaviour table every shopimg.ProductImages must
// pass against the targets newTarget makes. Each call of newTarget returns a
// target and the ID of an existing product that has no images; subtests run
// in parallel, each with its own target, so newTarget must be safe to call
// concurrently (a fresh fake server per call is the usual way).
//
// What the target's Capabilities report decides what is checked: a supported
// operation must work, an unsupported one must fail with ErrUnsupported and
// change nothing.
func RunConformance(t *testing.T, newTarget func(t *testing.T) (shopimg.ProductImages, string)) {
	t.Helper()
	for _, tc := range conformanceCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			target, productID := newTarget(t)
			if target == nil || productID == "" {
				t.Fatal("newTarget returned no target or an empty product ID")
			}
			c := &checker{t: t, p: target, pid: productID, caps: target.Capabilities(), ctx: context.Background(), newTarget: newTarget}
			tc.run(c)
		})
	}
}

type checker struct {
	t         *testing.T
	p         shopimg.ProductImages
	pid       string
	caps      shopimg.Capabilities
	ctx       context.Context
	newTarget func(t *testing.T) (shopimg.ProductImages, string)
}

var conformanceCases = []struct {
	name string
	run  func(c *checker)
}{
	{"EmptyProductListsNothing", func(c *checker) {
		if got := c.list(); len(got) != 0 {
			c.t.Errorf("List of a new product = %d images, want 0", len(got))
		}
	}},
	{"AddFromURL", func(c *checker) {
		img := shopimg.NewImage{SourceURL: "https://images.example.com/red-shoe.jpg", Alt: "Red shoe"}
		if !c.caps.AddFromURL {
			c.wantUnsupported("Add(SourceURL)", c.addErr(img))
			c.wantIDs(nil)
			return
		}
		got := c.add(img)
		if got.ID == "" || got.ProductID != c.pid || got.Alt != "Red shoe" || got.Position != 0 {
			c.t.Errorf("Add returned %+v, want a new ID, product %q, alt %q, position 0", got, c.pid, "Red shoe")
		}
		list := c.list()
		if len(list) != 1 || list[0].ID != got.ID || list[0].Alt != "Red shoe" || list[0].URL == "" {
			c.t.Fatalf("List after Add = %+v, want the one image with its alt and a URL", list)
		}
		if list[0].Main != c.caps.HasMain() {
			c.t.Errorf("the only image has Main=%v, want %v (HasMain)", list[0].Main, c.caps.HasMain())
		}
	}},
	{"AddFromFile", func(c *checker) {
		img := shopimg.NewImage{File: shopimg.FileFromBytes("pixel.png", pngPixel), Alt: "Pixel"}
		if !c.caps.AddFromFile {
			c.wantUnsupported("Add(File)", c.addErr(img))
			c.wantIDs(nil)
			return
		}
		got := c.add(img)
		c.wantIDs([]string{got.ID})
		if l := c.list(); l[0].Alt != "Pixel" || l[0].URL == "" {
			c.t.Errorf("uploaded image listed as %+v, want alt Pixel and a URL", l[0])
		}
	}},
	{"AddAppendsInOrder", func(c *checker) {
		ids := c.seed(4)
		list := c.list()
		for i, img := range list {
			if img.Position != i {
				c.t.Errorf("image %d has Position %d", i, img.Position)
			}
			if img.Main != (i == 0 && c.caps.HasMain()) {
				c.t.Errorf("image %d has Main=%v", i, img.Main)
			}
		}
		c.wantIDs(ids)
	}},
	{"AddAtPosition", func(c *checker) {
		ids := c.seed(2)
		img := shopimg.NewImage{SourceURL: "https://images.example.com/front.jpg", Position: new(0)}
		if !c.caps.AddAtPosition {
			c.wantUnsupported("Add(Position 0)", c.addErr(img))
			c.wantIDs(ids)
			return
		}
		front := c.add(img)
		c.wantIDs([]string{front.ID, ids[0], ids[1]})
		mid := c.add(shopimg.NewImage{SourceURL: "https://images.example.com/mid.jpg", Position: new(2)})
		c.wantIDs([]string{front.ID, ids[0], mid.ID, ids[1]})
		if !c.caps.HasMain() {
			return
		}
		main := c.add(shopimg.NewImage{SourceURL: "https://images.example.com/main.jpg", Main: true})
		list := c.list()
		if list[0].ID != main.ID || !list[0].Main || countMain(list) != 1 {
			c.t.Errorf("after Add(Main) the list is %v, want %s first and the only main", idsOf(list), main.ID)
		}
	}},
	{"AddPositionOutOfRange", func(c *checker) {
		ids := c.seed(1)
		_, err := c.p.Add(c.ctx, c.pid, shopimg.NewImage{SourceURL: "https://images.example.com/x.jpg", Position: new(5)})
		if !errors.Is(err, shopimg.ErrInvalidInput) && !errors.Is(err, shopimg.ErrUnsupported) {
			c.t.Errorf("Add at position 5 of 1: err = %v, want ErrInvalidInput", err)
		}
		c.wantIDs(ids)
	}},
	{"UpdateAlt", func(c *checker) {
		ids := c.seed(3)
		u := shopimg.ImageUpdate{Alt: new("Side view")}
		got, err := c.p.Update(c.ctx, c.pid, ids[1], u)
		if !c.caps.Update {
			c.wantUnsupported("Update(Alt)", err)
			return
		}
		if err != nil {
			c.t.Fatalf("Update(Alt): %v", err)
		}
		if got.ID != ids[1] || got.Alt != "Side view" {
			c.t.Errorf("Update returned %+v", got)
		}
		list := c.list()
		c.wantIDs(ids) // order unchanged
		if list[1].Alt != "Side view" || list[0].Alt == "Side view" {
			c.t.Errorf("alts after update: %q, %q", list[0].Alt, list[1].Alt)
		}
	}},
	{"UpdatePosition", func(c *checker) {
		ids := c.seed(3)
		_, err := c.p.Update(c.ctx, c.pid, ids[0], shopimg.ImageUpdate{Position: new(2)})
		if !c.caps.Reorder {
			c.wantUnsupported("Update(Position)", err)
			c.wantIDs(ids)
			return
		}
		if err != nil {
			c.t.Fatalf("Update(Position): %v", err)
		}
		c.wantIDs([]string{ids[1], ids[2], ids[0]})
		if _, err := c.p.Update(c.ctx, c.pid, ids[0], shopimg.ImageUpdate{Position: new(3)}); !errors.Is(err, shopimg.ErrInvalidInput) {
			c.t.Errorf("Update(Position 3 of 3): err = %v, want ErrInvalidInput", err)
		}
	}},
	{"SetMain", func(c *checker) {
		ids := c.seed(3)
		_, err := c.p.Update(c.ctx, c.pid, ids[2], shopimg.ImageUpdate{Main: new(true)})
		if !c.caps.SetMain {
			c.wantUnsupported("Update(Main)", err)
			c.wantIDs(ids)
			return
		}
		if err != nil {
			c.t.Fatalf("Update(Main): %v", err)
		}
		list := c.list()
		if list[0].ID != ids[2] || !list[0].Main || countMain(list) != 1 {
			c.t.Errorf("after SetMain the list is %v (main count %d), want %s first and the only main", idsOf(list), countMain(list), ids[2])
		}
		if !sameSet(idsOf(list), ids) {
			c.t.Errorf("SetMain changed the set of images: %v", idsOf(list))
		}
	}},
	{"Reorder", func(c *checker) {
		ids := c.seed(5)
		want := []string{ids[3], ids[0], ids[4], ids[2], ids[1]}
		err := c.p.Reorder(c.ctx, c.pid, want)
		if !c.caps.Reorder {
			c.wantUnsupported("Reorder", err)
			c.wantIDs(ids)
			return
		}
		if err != nil {
			c.t.Fatalf("Reorder: %v", err)
		}
		list := c.wantIDs(want)
		if c.caps.HasMain() && (!list[0].Main || countMain(list) != 1) {
			c.t.Errorf("after Reorder the first image is not the only main one")
		}
		if err := c.p.Reorder(c.ctx, c.pid, want); err != nil {
			c.t.Errorf("Reorder to the current order: %v", err)
		}
		slices.Reverse(want)
		if err := c.p.Reorder(c.ctx, c.pid, want); err != nil {
			c.t.Fatalf("Reorder reversed: %v", err)
		}
		c.wantIDs(want)
	}},
	{"ReorderRejectsNonPermutations", func(c *checker) {
		ids := c.seed(3)
		bad := map[string][]string{
			"missing":   ids[:2],
			"duplicate": {ids[0], ids[0], ids[1]},
			"extra":     append(slices.Clone(ids), ids[0]),
			"empty ID":  {ids[0], "", ids[2]},
			"empty":     {},
		}
		for name, order := range bad {
			err := c.p.Reorder(c.ctx, c.pid, order)
			if !errors.Is(err, shopimg.ErrInvalidInput) && !(errors.Is(err, shopimg.ErrUnsupported) && !c.caps.Reorder) {
				c.t.Errorf("Reorder(%s) err = %v, want ErrInvalidInput", name, err)
			}
		}
		c.wantIDs(ids)
	}},
	{"Delete", func(c *checker) {
		ids := c.seed(3)
		err := c.p.Delete(c.ctx, c.pid, ids[1])
		if !c.caps.Delete {
			c.wantUnsupported("Delete", err)
			c.wantIDs(ids)
			return
		}
		if err != nil {
			c.t.Fatalf("Delete: %v", err)
		}
		list := c.wantIDs([]string{ids[0], ids[2]})
		if list[1].Position != 1 {
			c.t.Errorf("positions after delete: %d, %d", list[0].Position, list[1].Position)
		}
		if err := c.p.Delete(c.ctx, c.pid, ids[0]); err != nil {
			c.t.Fatalf("Delete main: %v", err)
		}
		list = c.wantIDs([]string{ids[2]})
		if list[0].Main != c.caps.HasMain() {
			c.t.Errorf("after deleting the main image the remaining one has Main=%v", list[0].Main)
		}
		if err := c.p.Delete(c.ctx, c.pid, ids[1]); !errors.Is(err, shopimg.ErrNotFound) {
			c.t.Errorf("Delete of a deleted image: err = %v, want ErrNotFound", err)
		}
		if _, err := c.p.Update(c.ctx, c.pid, ids[0], shopimg.ImageUpdate{Alt: new("x")}); !errors.Is(err, shopimg.ErrNotFound) && !(errors.Is(err, shopimg.ErrUnsupported) && !c.caps.Update) {
			c.t.Errorf("Update of a deleted image: err = %v, want ErrNotFound", err)
		}
	}},
	{"UnknownImageIsNotFound", func(c *checker) {
		// An ID that is well-formed for the platform but not in this product:
		// one taken from another target's product.
		other, otherPID := c.newTarget(c.t)
		if !c.caps.AddFromURL {
			c.t.Skip("needs AddFromURL to make an image")
		}
		foreign, err := other.Add(c.ctx, otherPID, shopimg.NewImage{SourceURL: "https://images.example.com/elsewhere.jpg"})
		if err != nil {
			c.t.Fatalf("Add on the second target: %v", err)
		}
		if c.caps.Update {
			if _, err := c.p.Update(c.ctx, c.pid, foreign.ID, shopimg.ImageUpdate{Alt: new("x")}); !errors.Is(err, shopimg.ErrNotFound) {
				c.t.Errorf("Update of an unknown image: err = %v, want ErrNotFound", err)
			}
		}
		if c.caps.Delete {
			if err := c.p.Delete(c.ctx, c.pid, foreign.ID); !errors.Is(err, shopimg.ErrNotFound) {
				c.t.Errorf("Delete of an unknown image: err = %v, want ErrNotFound", err)
			}
		}
		c.wantIDs(nil)
	}},
	{"InvalidInputIsRejected", func(c *checker) {
		ids := c.seed(1)
		url := "https://images.example.com/x.jpg"
		checks := map[string]error{
			"List(empty product)":       second(c.p.List(c.ctx, "")),
			"Add(empty product)":        second(c.p.Add(c.ctx, "", shopimg.NewImage{SourceURL: url})),
			"Add(no source)":            second(c.p.Add(c.ctx, c.pid, shopimg.NewImage{Alt: "x"})),
			"Add(both sources)":         second(c.p.Add(c.ctx, c.pid, shopimg.NewImage{SourceURL: url, File: shopimg.FileFromBytes("a.png", pngPixel)})),
			"Add(relative URL)":         second(c.p.Add(c.ctx, c.pid, shopimg.NewImage{SourceURL: "/images/x.jpg"})),
			"Add(negative position)":    second(c.p.Add(c.ctx, c.pid, shopimg.NewImage{SourceURL: url, Position: new(-1)})),
			"Update(empty image)":       second(c.p.Update(c.ctx, c.pid, "", shopimg.ImageUpdate{Alt: new("x")})),
			"Update(nothing)":           second(c.p.Update(c.ctx, c.pid, ids[0], shopimg.ImageUpdate{})),
			"Update(Main false)":        second(c.p.Update(c.ctx, c.pid, ids[0], shopimg.ImageUpdate{Main: new(false)})),
			"Update(negative)":          second(c.p.Update(c.ctx, c.pid, ids[0], shopimg.ImageUpdate{Position: new(-2)})),
			"Reorder(empty product)":    c.p.Reorder(c.ctx, "", ids),
			"Delete(empty image)":       c.p.Delete(c.ctx, c.pid, ""),
			"Delete(control character)": c.p.Delete(c.ctx, c.pid, "a\nb"),
		}
		for name, err := range checks {
			if !errors.Is(err, shopimg.ErrInvalidInput) {
				c.t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
			}
		}
		c.wantIDs(ids)
	}},
	{"ConcurrentAdds", func(c *checker) {
		if !c.caps.AddFromURL {
			c.t.Skip("needs AddFromURL")
		}
		const n = 6
		var wg sync.WaitGroup
		got := make([]string, n)
		for i := range n {
			wg.Go(func() {
				img, err := c.p.Add(c.ctx, c.pid, shopimg.NewImage{SourceURL: fmt.Sprintf("https://images.example.com/c%d.jpg", i)})
				if err != nil {
					c.t.Errorf("concurrent Add %d: %v", i, err)
				}
				got[i] = img.ID
			})
		}
		wg.Wait()
		if list := c.list(); !sameSet(idsOf(list), got) {
			c.t.Errorf("after %d concurrent adds the list is %v, want %v", n, idsOf(list), got)
		}
	}},
	{"CancelledContext", func(c *checker) {
		ctx, cancel := context.WithCancel(c.ctx)
		cancel()
		if _, err := c.p.List(ctx, c.pid); !errors.Is(err, context.Canceled) {
			c.t.Errorf("List with a cancelled context: err = %v, want context.Canceled", err)
		}
	}},
}

// pngPixel is a 1x1 transparent PNG.
var pngPixel = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func (c *checker) list() []shopimg.Image {
	c.t.Helper()
	list, err := c.p.List(c.ctx, c.pid)
	if err != nil {
		c.t.Fatalf("List: %v", err)
	}
	return list
}

func (c *checker) add(img shopimg.NewImage) shopimg.Image {
	c.t.Helper()
	got, err := c.p.Add(c.ctx, c.pid, img)
	if err != nil {
		c.t.Fatalf("Add(%s): %v", describe(img), err)
	}
	return got
}

func (c *checker) addErr(img shopimg.NewImage) error {
	_, err := c.p.Add(c.ctx, c.pid, img)
	return err
}

// seed adds n images from URLs (or files when the platform takes no URLs)
// and returns their IDs in order.
func (c *checker) seed(n int) []string {
	c.t.Helper()
	if !c.caps.AddFromURL && !c.caps.AddFromFile {
		c.t.Skip("the target cannot add images")
	}
	ids := make([]string, n)
	for i := range n {
		img := shopimg.NewImage{Alt: fmt.Sprintf("Image %d", i)}
		if c.caps.AddFromURL {
			img.SourceURL = fmt.Sprintf("https://images.example.com/seed-%d.jpg", i)
		} else {
			img.File = shopimg.FileFromBytes(fmt.Sprintf("seed-%d.png", i), pngPixel)
		}
		ids[i] = c.add(img).ID
	}
	c.wantIDs(ids)
	return ids
}

// wantIDs checks the listed order and returns the list.
func (c *checker) wantIDs(want []string) []shopimg.Image {
	c.t.Helper()
	list := c.list()
	if got := idsOf(list); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		c.t.Fatalf("listed IDs = %v, want %v", got, want)
	}
	return list
}

func (c *checker) wantUnsupported(what string, err error) {
	c.t.Helper()
	if !errors.Is(err, shopimg.ErrUnsupported) {
		c.t.Errorf("%s on a platform without it: err = %v, want ErrUnsupported", what, err)
	}
}

func second[T any](_ T, err error) error { return err }

func idsOf(list []shopimg.Image) []string {
	out := make([]string, len(list))
	for i, img := range list {
		out[i] = img.ID
	}
	return out
}

func countMain(list []shopimg.Image) int {
	n := 0
	for _, img := range list {
		if img.Main {
			n++
		}
	}
	return n
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func describe(img shopimg.NewImage) string {
	var parts []string
	if img.SourceURL != "" {
		parts = append(parts, img.SourceURL)
	}
	if img.File != nil {
		parts = append(parts, "file "+img.File.Name)
	}
	return strings.Join(parts, ", ")
}

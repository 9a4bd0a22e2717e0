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
// change nothing. A per-product limit (MaxImages) of at most 20 is reached
// once, and the add beyond it must fail with ErrInvalidInput. A target that
// cannot even list is only checked to say so.
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
			if !c.caps.List {
				c.wantUnsupported("List", second(c.p.List(c.ctx, c.pid)))
				return
			}
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

type conformanceCase struct {
	name string
	run  func(c *checker)
}

var conformanceCases = []conformanceCase{
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
		c.needRoom(5)
		ids := c.seed(2)
		img := c.newImage("front")
		img.Position = new(0)
		if !c.caps.AddAtPosition {
			c.wantUnsupported("Add(Position 0)", c.addErr(img))
			c.wantIDs(ids)
			return
		}
		front := c.add(img)
		c.wantIDs([]string{front.ID, ids[0], ids[1]})
		mid := c.newImage("mid")
		mid.Position = new(2)
		midID := c.add(mid).ID
		c.wantIDs([]string{front.ID, ids[0], midID, ids[1]})
		end := c.newImage("end")
		end.Position = new(4) // the end is a valid position
		endID := c.add(end).ID
		c.wantIDs([]string{front.ID, ids[0], midID, ids[1], endID})
		if !c.caps.HasMain() {
			return
		}
		mainImg := c.newImage("main")
		mainImg.Main = true
		main := c.add(mainImg)
		list := c.list()
		if list[0].ID != main.ID || !list[0].Main || countMain(list) != 1 {
			c.t.Errorf("after Add(Main) the list is %v, want %s first and the only main", idsOf(list), main.ID)
		}
	}},
	{"AddPositionOutOfRange", func(c *checker) {
		ids := c.seed(1)
		img := c.newImage("x")
		img.Position = new(5)
		_, err := c.p.Add(c.ctx, c.pid, img)
		// Without AddAtPosition, refusing any position but the end as
		// unsupported is right too.
		if !errors.Is(err, shopimg.ErrInvalidInput) && !(errors.Is(err, shopimg.ErrUnsupported) && !c.caps.AddAtPosition) {
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
			if list := c.wantIDs(ids); list[1].Alt != "Image 1" {
				c.t.Errorf("a refused update changed the alt to %q", list[1].Alt)
			}
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
		list := c.wantIDs([]string{ids[1], ids[2], ids[0]})
		for i, img := range list {
			if img.Position != i || img.Main != (i == 0 && c.caps.HasMain()) {
				c.t.Errorf("after the move image %s has Position %d, Main %v", img.ID, img.Position, img.Main)
			}
		}
		if _, err := c.p.Update(c.ctx, c.pid, ids[0], shopimg.ImageUpdate{Position: new(3)}); !errors.Is(err, shopimg.ErrInvalidInput) {
			c.t.Errorf("Update(Position 3 of 3): err = %v, want ErrInvalidInput", err)
		}
		c.wantIDs([]string{ids[1], ids[2], ids[0]})
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
		if !c.caps.AddFromURL && !c.caps.AddFromFile {
			c.t.Skip("the target cannot add images")
		}
		other, otherPID := c.newTarget(c.t)
		foreign, err := other.Add(c.ctx, otherPID, c.newImage("elsewhere"))
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
			"Delete(empty product)":     c.p.Delete(c.ctx, "", ids[0]),
			"Update(empty product)":     second(c.p.Update(c.ctx, "", ids[0], shopimg.ImageUpdate{Alt: new("x")})),
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
		// Refusing these as unsupported is right too where the platform
		// lacks what they ask for.
		orUnsupported := map[string]error{
			"Add(main not first)":    second(c.p.Add(c.ctx, c.pid, shopimg.NewImage{SourceURL: url, Main: true, Position: new(1)})),
			"Update(main not first)": second(c.p.Update(c.ctx, c.pid, ids[0], shopimg.ImageUpdate{Main: new(true), Position: new(1)})),
		}
		lacks := map[string]bool{
			"Add(main not first)":    !c.caps.AddFromURL || !c.caps.AddAtPosition || !c.caps.HasMain(),
			"Update(main not first)": !c.caps.SetMain || !c.caps.Reorder,
		}
		for name, err := range checks {
			if !errors.Is(err, shopimg.ErrInvalidInput) {
				c.t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
			}
		}
		for name, err := range orUnsupported {
			if !errors.Is(err, shopimg.ErrInvalidInput) && !(lacks[name] && errors.Is(err, shopimg.ErrUnsupported)) {
				c.t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
			}
		}
		c.wantIDs(ids)
	}},
	{"MaxImagesIsEnforced", func(c *checker) {
		if c.caps.MaxImages == 0 || c.caps.MaxImages > 20 {
			c.t.Skip("no per-product limit small enough to reach")
		}
		ids := c.seed(c.caps.MaxImages)
		if _, err := c.p.Add(c.ctx, c.pid, c.newImage("one-too-many")); !errors.Is(err, shopimg.ErrInvalidInput) {
			c.t.Errorf("Add beyond MaxImages %d: err = %v, want ErrInvalidInput", c.caps.MaxImages, err)
		}
		c.wantIDs(ids)
	}},
	{"ConcurrentAdds", func(c *checker) {
		const n = 6
		c.needRoom(n)
		if !c.caps.AddFromURL && !c.caps.AddFromFile {
			c.t.Skip("the target cannot add images")
		}
		var wg sync.WaitGroup
		got := make([]string, n)
		for i := range n {
			wg.Go(func() {
				img, err := c.p.Add(c.ctx, c.pid, c.newImage(fmt.Sprintf("c%d", i)))
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

// list lists the product and checks what every List must hold: positions
// are the indexes, the product ID is the one asked for, IDs are unique, and
// the first image is the only main one where the platform has a main image.
func (c *checker) list() []shopimg.Image {
	c.t.Helper()
	list, err := c.p.List(c.ctx, c.pid)
	if err != nil {
		c.t.Fatalf("List: %v", err)
	}
	seen := map[string]bool{}
	for i, img := range list {
		if img.Position != i || img.ProductID != c.pid || img.ID == "" || seen[img.ID] {
			c.t.Errorf("List()[%d] has ID %q, Position %d, ProductID %q; want a unique ID, Position %d, ProductID %q", i, img.ID, img.Position, img.ProductID, i, c.pid)
		}
		if want := i == 0 && c.caps.HasMain(); img.Main != want {
			c.t.Errorf("List()[%d] (%s) has Main=%v, want %v", i, img.ID, img.Main, want)
		}
		seen[img.ID] = true
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
// with the alt texts "Image 0", "Image 1", ... and returns their IDs in
// order.
func (c *checker) seed(n int) []string {
	c.t.Helper()
	if !c.caps.AddFromURL && !c.caps.AddFromFile {
		c.t.Skip("the target cannot add images")
	}
	c.needRoom(n)
	ids := make([]string, n)
	for i := range n {
		img := c.newImage(fmt.Sprintf("seed-%d", i))
		img.Alt = fmt.Sprintf("Image %d", i)
		ids[i] = c.add(img).ID
	}
	c.wantIDs(ids)
	return ids
}

// newImage is an image named name from a URL, or a file when the platform
// takes no URLs.
func (c *checker) newImage(name string) shopimg.NewImage {
	if c.caps.AddFromURL {
		return shopimg.NewImage{SourceURL: "https://images.example.com/" + name + ".jpg"}
	}
	return shopimg.NewImage{File: shopimg.FileFromBytes(name+".png", pngPixel)}
}

// needRoom skips the case when the product cannot hold n images.
func (c *checker) needRoom(n int) {
	c.t.Helper()
	if c.caps.MaxImages > 0 && n > c.caps.MaxImages {
		c.t.Skipf("needs %d images, the platform allows %d", n, c.caps.MaxImages)
	}
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

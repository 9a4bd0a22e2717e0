package fakestore

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCatalogProducts(t *testing.T) {
	t.Parallel()
	c := NewCatalog[string](CatalogOptions{})
	c.AddProduct("b", "b1", "b2")
	c.AddProduct("a")
	if !c.HasProduct("a") || !c.HasProduct("b") || c.HasProduct("c") {
		t.Fatal("HasProduct is wrong")
	}
	if diff := cmp.Diff([]string{"b", "a"}, c.ProductIDs()); diff != "" {
		t.Errorf("ProductIDs (-want +got):\n%s", diff)
	}

	imgs, err := c.Images("b")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"b1", "b2"}, imgs); diff != "" {
		t.Errorf("Images (-want +got):\n%s", diff)
	}
	imgs[0] = "changed" // a copy: the catalogue is unaffected
	if imgs, _ := c.Images("b"); imgs[0] != "b1" {
		t.Errorf("Images returned the catalogue's own slice: now %q", imgs)
	}

	if imgs, err := c.Images("a"); err != nil || imgs == nil || len(imgs) != 0 {
		t.Errorf("Images of a product without images = %#v, %v; want an empty, non-nil slice", imgs, err)
	}

	// AddProduct replaces, keeping the product's place.
	c.AddProduct("b", "new")
	if imgs, _ := c.Images("b"); !slices.Equal(imgs, []string{"new"}) {
		t.Errorf("after replacing: %q", imgs)
	}
	if got := c.ProductIDs(); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("ProductIDs after replacing: %q", got)
	}

	if !c.DeleteProduct("b") || c.DeleteProduct("b") {
		t.Error("DeleteProduct should report true once, then false")
	}
	if got := c.ProductIDs(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("ProductIDs after delete: %q", got)
	}
}

func TestCatalogMissingProduct(t *testing.T) {
	t.Parallel()
	c := NewCatalog[int](CatalogOptions{})
	called := false
	fn := func(*Product[int]) error { called = true; return nil }
	for name, err := range map[string]error{
		"View":   c.View("42", fn),
		"Update": c.Update("42", fn),
		"Images": func() error { _, err := c.Images("42"); return err }(),
	} {
		if !errors.Is(err, ErrNoProduct) || !strings.Contains(err.Error(), `"42"`) {
			t.Errorf("%s: got %v, want ErrNoProduct naming the ID", name, err)
		}
	}
	if called {
		t.Error("fn was called for a missing product")
	}
}

func TestCatalogUpdateIsAtomic(t *testing.T) {
	t.Parallel()
	c := NewCatalog[int](CatalogOptions{FirstID: 7})
	c.AddProduct("p", 1, 2, 3)

	err := c.Update("p", func(p *Product[int]) error {
		p.Images[0] = 99
		p.Images = append(p.Images, 4)
		p.ID = "renamed"
		return errTest
	})
	if !errors.Is(err, errTest) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if imgs, _ := c.Images("p"); !slices.Equal(imgs, []int{1, 2, 3}) {
		t.Fatalf("a failed Update changed the product: %v", imgs)
	}

	if err := c.Update("p", func(p *Product[int]) error {
		p.Images = slices.Insert(p.Images, 0, int(c.NextID()))
		p.ID = "renamed" // ignored
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	err = c.View("p", func(p *Product[int]) error {
		if diff := cmp.Diff(Product[int]{ID: "p", Images: []int{7, 1, 2, 3}}, *p); diff != "" {
			t.Errorf("after Update (-want +got):\n%s", diff)
		}
		return errTest
	})
	if !errors.Is(err, errTest) {
		t.Errorf("View returned %v, want fn's error", err)
	}
	if c.HasProduct("renamed") {
		t.Error("changing p.ID created a product")
	}
}

func TestCatalogViewIsASnapshot(t *testing.T) {
	t.Parallel()
	c := NewCatalog[string](CatalogOptions{})
	c.AddProduct("p", "x")
	err := c.View("p", func(p *Product[string]) error {
		// No lock is held: calling back into the catalogue is allowed, and
		// an Update does not change the snapshot being viewed.
		if err := c.Update("p", func(q *Product[string]) error {
			q.Images[0] = "y"
			return nil
		}); err != nil {
			return err
		}
		if p.Images[0] != "x" {
			t.Errorf("snapshot changed under View: %q", p.Images)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if imgs, _ := c.Images("p"); imgs[0] != "y" {
		t.Errorf("Update lost: %q", imgs)
	}
}

func TestCatalogConcurrent(t *testing.T) {
	t.Parallel()
	const writers, perWriter = 16, 50
	c := NewCatalog[int64](CatalogOptions{FirstID: 1000})
	c.AddProduct("p")

	var wg sync.WaitGroup
	readerErr := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for range 100 {
				// IDs are taken under the write lock, so every published
				// state is strictly increasing.
				err := c.View("p", func(p *Product[int64]) error {
					for i := 1; i < len(p.Images); i++ {
						if p.Images[i] <= p.Images[i-1] {
							return fmt.Errorf("inconsistent state %v", p.Images)
						}
					}
					return nil
				})
				if err != nil {
					readerErr <- err
					return
				}
				_ = c.HasProduct("p")
				_ = c.ProductIDs()
			}
		})
	}
	var writersWG sync.WaitGroup
	for range writers {
		writersWG.Go(func() {
			for range perWriter {
				if err := c.Update("p", func(p *Product[int64]) error {
					p.Images = append(p.Images, c.NextID())
					return nil
				}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	writersWG.Wait()
	wg.Wait()
	close(readerErr)
	for err := range readerErr {
		t.Error(err)
	}

	imgs, err := c.Images("p")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int64, writers*perWriter)
	for i := range want {
		want[i] = 1000 + int64(i)
	}
	if diff := cmp.Diff(want, imgs); diff != "" {
		t.Errorf("images after concurrent updates (-want +got):\n%s", diff)
	}
}

func TestCatalogZeroValue(t *testing.T) {
	t.Parallel()
	var c Catalog[string]
	if c.HasProduct("x") {
		t.Fatal("empty catalogue has a product")
	}
	c.AddProduct("x", "a")
	if imgs, err := c.Images("x"); err != nil || !slices.Equal(imgs, []string{"a"}) {
		t.Errorf("Images = %q, %v", imgs, err)
	}
	if id := c.NextID(); id != 1 {
		t.Errorf("first ID of the zero value = %d, want 1", id)
	}
}

func TestIDGenSequence(t *testing.T) {
	t.Parallel()
	g := NewIDGen(42, 0)
	if a, b, c := g.Next(), g.Next(), g.NextString(); a != 42 || b != 43 || c != "44" {
		t.Errorf("sequence = %d, %d, %q; want 42, 43, \"44\"", a, b, c)
	}
	var zero IDGen
	if id := zero.Next(); id != 1 {
		t.Errorf("zero IDGen starts at %d, want 1", id)
	}
	if id := NewCatalog[int](CatalogOptions{FirstID: 500}).NextID(); id != 500 {
		t.Errorf("catalogue FirstID 500 starts at %d", id)
	}
	if id := NewCatalog[int](CatalogOptions{}).NextID(); id != 1 {
		t.Errorf("catalogue without FirstID starts at %d, want 1", id)
	}
}

func TestIDGenConcurrentIDsAreUnique(t *testing.T) {
	t.Parallel()
	g := NewIDGen(1, 1)
	const n, per = 8, 200
	ids := make(chan int64, n*per)
	guids := make(chan string, n*per)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for range per {
				ids <- g.Next()
				guids <- g.GUID()
			}
		})
	}
	wg.Wait()
	close(ids)
	close(guids)
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] || id < 1 || id > n*per {
			t.Fatalf("ID %d repeated or out of range", id)
		}
		seen[id] = true
	}
	seenG := map[string]bool{}
	for s := range guids {
		if seenG[s] {
			t.Fatalf("GUID %s repeated", s)
		}
		seenG[s] = true
	}
}

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestGUIDsAreDeterministic(t *testing.T) {
	t.Parallel()
	seq := func(seed uint64) []string {
		c := NewCatalog[int](CatalogOptions{Seed: seed})
		out := make([]string, 5)
		for i := range out {
			out[i] = c.NewGUID()
		}
		return out
	}
	a, b, other := seq(7), seq(7), seq(8)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different GUIDs (-first +second):\n%s", diff)
	}
	if slices.Equal(a, other) {
		t.Error("different seeds gave the same GUIDs")
	}
	for _, s := range append(a, other...) {
		if !guidRE.MatchString(s) {
			t.Errorf("GUID %q is not a version 4 UUID", s)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(a)))) != len(a) {
		t.Errorf("repeated GUIDs: %q", a)
	}
}

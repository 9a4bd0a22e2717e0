// Package storetest checks that an imagesync.Store follows the contract
// imagesync's crash safety rests on. Run it from the tests of your own Store
// (a SQL table, a key-value service):
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) imagesync.Store { return newTestStore(t) }, nil)
//	}
package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/shopimg/shopimg/imagesync"
)

// Run runs the contract checks as parallel subtests. newStore returns an
// empty store (a fresh one per call). reopen, when not nil, closes s and
// opens the same data again, to check that a Save survives a restart.
func Run(t *testing.T, newStore func(t *testing.T) imagesync.Store, reopen func(t *testing.T, s imagesync.Store) imagesync.Store) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, &checker{t: t, s: newStore(t), reopen: reopen})
		})
	}
}

var (
	ref   = imagesync.ProductRef{Platform: "bigcommerce", Store: "abc", Product: "111"}
	other = imagesync.ProductRef{Platform: "bigcommerce", Store: "abc", Product: "112"}
	at    = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

type checker struct {
	t      *testing.T
	s      imagesync.Store
	reopen func(t *testing.T, s imagesync.Store) imagesync.Store
}

func (c *checker) save(r imagesync.ProductRef, ch imagesync.Change) {
	c.t.Helper()
	if err := c.s.Save(context.Background(), r, ch); err != nil {
		c.t.Fatalf("Save(%v, %+v): %v", r, ch, err)
	}
}

func (c *checker) want(r imagesync.ProductRef, want imagesync.State) {
	c.t.Helper()
	got, err := c.s.Load(context.Background(), r)
	if err != nil {
		c.t.Fatalf("Load(%v): %v", r, err)
	}
	opts := cmp.Options{
		cmpopts.SortSlices(func(a, b imagesync.Mapping) bool { return a.Key < b.Key }),
		cmpopts.EquateEmpty(),
	}
	if d := cmp.Diff(want, got, opts); d != "" {
		c.t.Errorf("Load(%v) mismatch (-want +got):\n%s", r, d)
	}
}

func intent(key string, before ...string) imagesync.Intent {
	return imagesync.Intent{Key: key, Before: before, SourceURL: "https://cdn.example.com/" + key + ".jpg", Alt: "alt " + key, At: at}
}

var checks = []struct {
	name string
	run  func(t *testing.T, c *checker)
}{
	{"UnknownProductIsEmpty", func(t *testing.T, c *checker) {
		c.want(ref, imagesync.State{})
	}},
	{"PutDropReplace", func(t *testing.T, c *checker) {
		c.save(ref, imagesync.Change{Put: []imagesync.Mapping{{Key: "a", ImageID: "1", Created: true}, {Key: "b", ImageID: "2"}}})
		c.save(ref, imagesync.Change{Put: []imagesync.Mapping{{Key: "b", ImageID: "3", Created: true}}, Drop: []string{"a", "missing"}})
		c.want(ref, imagesync.State{Mappings: []imagesync.Mapping{{Key: "b", ImageID: "3", Created: true}}})
	}},
	{"IntentsInOrderAndReplaced", func(t *testing.T, c *checker) {
		a, b := intent("a", "1"), intent("b", "1", "2")
		c.save(ref, imagesync.Change{Begin: &a})
		c.save(ref, imagesync.Change{Begin: &b})
		c.want(ref, imagesync.State{Intents: []imagesync.Intent{a, b}})
		a2 := intent("a", "1", "2", "3")
		c.save(ref, imagesync.Change{Begin: &a2})
		c.want(ref, imagesync.State{Intents: []imagesync.Intent{b, a2}})
	}},
	{"CommitIsAtomic", func(t *testing.T, c *checker) {
		a := intent("a")
		c.save(ref, imagesync.Change{Begin: &a})
		c.save(ref, imagesync.Change{Put: []imagesync.Mapping{{Key: "a", ImageID: "9", Created: true}}, Resolve: []string{"a", "missing"}})
		c.want(ref, imagesync.State{Mappings: []imagesync.Mapping{{Key: "a", ImageID: "9", Created: true}}})
	}},
	{"BeginThenResolveInOneChange", func(t *testing.T, c *checker) {
		a := intent("a")
		c.save(ref, imagesync.Change{Begin: &a, Resolve: []string{"a"}})
		c.want(ref, imagesync.State{})
	}},
	{"ProductsAreIndependent", func(t *testing.T, c *checker) {
		a := intent("a")
		c.save(ref, imagesync.Change{Put: []imagesync.Mapping{{Key: "k", ImageID: "1"}}, Begin: &a})
		c.save(other, imagesync.Change{Put: []imagesync.Mapping{{Key: "k", ImageID: "2"}}})
		c.want(ref, imagesync.State{Mappings: []imagesync.Mapping{{Key: "k", ImageID: "1"}}, Intents: []imagesync.Intent{a}})
		c.want(other, imagesync.State{Mappings: []imagesync.Mapping{{Key: "k", ImageID: "2"}}})
		c.want(imagesync.ProductRef{Platform: "bigcommerce", Store: "abd", Product: "111"}, imagesync.State{})
	}},
	{"ConcurrentProducts", func(t *testing.T, c *checker) {
		var wg sync.WaitGroup
		const n = 16
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				r := imagesync.ProductRef{Platform: "p", Store: "s", Product: fmt.Sprint(i)}
				for j := range 5 {
					k := fmt.Sprint(j)
					in := intent(k)
					if err := c.s.Save(context.Background(), r, imagesync.Change{Begin: &in}); err != nil {
						errs[i] = err
						return
					}
					if err := c.s.Save(context.Background(), r, imagesync.Change{Put: []imagesync.Mapping{{Key: k, ImageID: k}}, Resolve: []string{k}}); err != nil {
						errs[i] = err
						return
					}
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("product %d: %v", i, err)
			}
		}
		for i := range n {
			r := imagesync.ProductRef{Platform: "p", Store: "s", Product: fmt.Sprint(i)}
			var want imagesync.State
			for j := range 5 {
				want.Mappings = append(want.Mappings, imagesync.Mapping{Key: fmt.Sprint(j), ImageID: fmt.Sprint(j)})
			}
			c.want(r, want)
		}
	}},
	{"LongKeys", func(t *testing.T, c *checker) {
		k := strings.Repeat("é", imagesync.MaxKeyLen/2) // MaxKeyLen bytes
		in := intent(k, "1")
		c.save(ref, imagesync.Change{Put: []imagesync.Mapping{{Key: k, ImageID: "1", Created: true}}, Begin: &in})
		c.want(ref, imagesync.State{Mappings: []imagesync.Mapping{{Key: k, ImageID: "1", Created: true}}, Intents: []imagesync.Intent{in}})
	}},
	{"CancelledContext", func(t *testing.T, c *checker) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := c.s.Save(ctx, ref, imagesync.Change{Put: []imagesync.Mapping{{Key: "a", ImageID: "1"}}}); err == nil {
			t.Error("Save with a cancelled context succeeded")
		}
		if _, err := c.s.Load(ctx, ref); err == nil {
			t.Error("Load with a cancelled context succeeded")
		}
		c.want(ref, imagesync.State{})
	}},
	{"SurvivesReopen", func(t *testing.T, c *checker) {
		if c.reopen == nil {
			t.Skip("no reopen func")
		}
		a := intent("a", "7")
		c.save(ref, imagesync.Change{Put: []imagesync.Mapping{{Key: "k", ImageID: "1", Created: true}}, Begin: &a})
		c.s = c.reopen(t, c.s)
		c.want(ref, imagesync.State{Mappings: []imagesync.Mapping{{Key: "k", ImageID: "1", Created: true}}, Intents: []imagesync.Intent{a}})
	}},
}

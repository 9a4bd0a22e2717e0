package boltstore_test

import (
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/imagesync/boltstore"
	"github.com/shopimg/shopimg/imagesync/storetest"
)

func open(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t,
		func(t *testing.T) imagesync.Store { return open(t, filepath.Join(t.TempDir(), "state.db")) },
		func(t *testing.T, s imagesync.Store) imagesync.Store {
			bs := s.(*boltstore.Store)
			path := bs.DB().Path()
			if err := bs.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t, path)
		})
}

func TestProducts(t *testing.T) {
	t.Parallel()
	s := open(t, filepath.Join(t.TempDir(), "state.db"))
	ref := imagesync.ProductRef{Platform: "shoptet", Store: "eshop.cz", Product: "guid/with/slashes"}
	if err := s.Save(t.Context(), ref, imagesync.Change{Put: []imagesync.Mapping{{Key: "k", ImageID: "1.jpg"}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Products()
	if err != nil || len(got) != 1 || got[0] != ref {
		t.Fatalf("Products() = %v, %v; want [%v]", got, err, ref)
	}
	if err := s.Save(t.Context(), ref, imagesync.Change{Drop: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Products(); err != nil || len(got) != 0 {
		t.Fatalf("Products() after dropping everything = %v, %v; want none", got, err)
	}
}

func TestSecondOpenTimesOut(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	open(t, path)
	// A timeout under bbolt's 50ms retry step fails at once: no waiting.
	if s, err := boltstore.Open(path, &bbolt.Options{Timeout: time.Millisecond}); err == nil {
		s.Close()
		t.Fatal("a second Open of a locked file succeeded")
	}
}

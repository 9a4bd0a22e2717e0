package boltstore_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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

var (
	ref1 = imagesync.ProductRef{Platform: "bigcommerce", Store: "abc", Product: "111"}
	ref2 = imagesync.ProductRef{Platform: "bigcommerce", Store: "abc", Product: "112"}
	at   = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st1  = imagesync.State{
		Mappings: []imagesync.Mapping{{Key: "a", ImageID: "1", Created: true}, {Key: "b", ImageID: "2"}},
		Intents:  []imagesync.Intent{{Key: "c", Before: []string{"1", "2"}, SourceURL: "https://pim.example.com/c.jpg", Alt: "C", At: at}},
	}
	st2 = imagesync.State{Mappings: []imagesync.Mapping{{Key: "z", ImageID: "26"}}}
)

// saveState saves st for ref in s as one change.
func saveState(t *testing.T, s imagesync.Store, ref imagesync.ProductRef, st imagesync.State) {
	t.Helper()
	c := imagesync.Change{Put: st.Mappings}
	for _, in := range st.Intents {
		c.Begin = &in
	}
	if err := s.Save(context.Background(), ref, c); err != nil {
		t.Fatal(err)
	}
}

// wantState checks that s holds st for ref.
func wantState(t *testing.T, s imagesync.Store, ref imagesync.ProductRef, st imagesync.State) {
	t.Helper()
	got, err := s.Load(context.Background(), ref)
	if err != nil {
		t.Fatalf("Load(%v): %v", ref, err)
	}
	if d := cmp.Diff(st, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("Load(%v) (-want +got):\n%s", ref, d)
	}
}

// TestEditedRecordsAreDamage changes the file behind the Store's back, as
// damage could: a record that changed, a record or a product that vanished.
// Load and Save (for the product) and Open refuse the file with an error
// matching ErrDamaged that names it.
func TestEditedRecordsAreDamage(t *testing.T) {
	t.Parallel()
	product := func(tx *bbolt.Tx, ref imagesync.ProductRef) *bbolt.Bucket {
		name, _ := json.Marshal([]string{ref.Platform, ref.Store, ref.Product})
		return tx.Bucket([]byte("imagesync/v2")).Bucket(name)
	}
	cases := []struct {
		name   string
		edit   func(tx *bbolt.Tx) error
		loaded bool // Load cannot tell (Open can)
	}{
		{"MappingRemoved", func(tx *bbolt.Tx) error { return product(tx, ref1).Bucket([]byte("mappings")).Delete([]byte("b")) }, false},
		{"MappingChanged", func(tx *bbolt.Tx) error {
			return product(tx, ref1).Bucket([]byte("mappings")).Put([]byte("b"), []byte(`{"image_id":"3"}`))
		}, false},
		{"IntentRemoved", func(tx *bbolt.Tx) error {
			return product(tx, ref1).Bucket([]byte("intents")).Delete(binary.BigEndian.AppendUint64(nil, 1))
		}, false},
		{"ProductRemoved", func(tx *bbolt.Tx) error {
			name, _ := json.Marshal([]string{ref1.Platform, ref1.Store, ref1.Product})
			return tx.Bucket([]byte("imagesync/v2")).DeleteBucket(name)
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.db")
			s := open(t, path)
			saveState(t, s, ref1, st1)
			saveState(t, s, ref2, st2)
			if err := s.DB().Update(c.edit); err != nil {
				t.Fatal(err)
			}
			damaged := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, boltstore.ErrDamaged) || !strings.Contains(err.Error(), path) {
					t.Errorf("%s: %v; want an error matching ErrDamaged that names %s", what, err, path)
				}
			}
			if !c.loaded {
				_, err := s.Load(context.Background(), ref1)
				damaged("Load", err)
				damaged("Save", s.Save(context.Background(), ref1, imagesync.Change{Drop: []string{"a"}}))
			}
			wantState(t, s, ref2, st2) // the other product is intact
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			_, err := boltstore.Open(path, nil)
			damaged("Open", err)
		})
	}
}

// writeV1 writes a file in the layout of earlier versions: JSON values
// without checksums under "imagesync/v1".
func writeV1(t *testing.T, path string, states map[imagesync.ProductRef]imagesync.State) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error {
		root, err := tx.CreateBucket([]byte("imagesync/v1"))
		if err != nil {
			return err
		}
		for ref, st := range states {
			name, _ := json.Marshal([]string{ref.Platform, ref.Store, ref.Product})
			p, _ := root.CreateBucket(name)
			ms, _ := p.CreateBucket([]byte("mappings"))
			is, _ := p.CreateBucket([]byte("intents"))
			for _, m := range st.Mappings {
				v, _ := json.Marshal(map[string]any{"image_id": m.ImageID, "created": m.Created})
				if err := ms.Put([]byte(m.Key), v); err != nil {
					return err
				}
			}
			for i, in := range st.Intents {
				v, _ := json.Marshal(in)
				if err := is.Put(binary.BigEndian.AppendUint64(nil, uint64(i+7)), v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEarlierLayout: a file written by an earlier version is refused
// read-only (with a message saying how to convert it), converted when
// opened for writing, and then reads as it was written.
func TestEarlierLayout(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	writeV1(t, path, map[imagesync.ProductRef]imagesync.State{ref1: st1, ref2: st2})
	if _, err := boltstore.Open(path, &bbolt.Options{ReadOnly: true, Timeout: time.Second}); err == nil || !strings.Contains(err.Error(), "open it once for writing") {
		t.Errorf("read-only Open of an earlier layout: %v", err)
	}
	s := open(t, path)
	wantState(t, s, ref1, st1)
	wantState(t, s, ref2, st2)
	saveState(t, s, ref2, imagesync.State{Mappings: []imagesync.Mapping{{Key: "y", ImageID: "25"}}})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := boltstore.Open(path, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatalf("read-only Open after the conversion: %v", err)
	}
	defer ro.Close()
	wantState(t, ro, ref1, st1)
	wantState(t, ro, ref2, imagesync.State{Mappings: []imagesync.Mapping{{Key: "y", ImageID: "25"}, {Key: "z", ImageID: "26"}}})
	if err := ro.DB().View(func(tx *bbolt.Tx) error {
		if tx.Bucket([]byte("imagesync/v1")) != nil {
			return errors.New("the earlier layout is still there")
		}
		return nil
	}); err != nil {
		t.Error(err)
	}

	broken := filepath.Join(t.TempDir(), "broken.db")
	writeV1(t, broken, map[imagesync.ProductRef]imagesync.State{ref1: {Mappings: []imagesync.Mapping{{Key: "a"}}}})
	if _, err := boltstore.Open(broken, nil); !errors.Is(err, boltstore.ErrDamaged) {
		t.Errorf("Open of an earlier layout with a malformed mapping: %v, want ErrDamaged", err)
	}
}
